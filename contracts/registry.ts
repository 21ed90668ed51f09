// The registry document: the one contract between fleet agents (writers) and the gateway
// (reader). Agents upsert it in the Cosmos container `registry` (partition key `/pool`) every
// few seconds and at once on every state change; the gateway treats a stale `lastSeen` as gone
// (the local Cosmos server does not enforce TTL, so never rely on TTL alone).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const REGISTRY_CONTAINER = 'registry';
export const REGISTRY_PARTITION_KEY = '/pool';
/** A replica whose lastSeen is older than this is treated as gone by readers. */
export const REGISTRY_STALE_AFTER_MS = 15_000;
/** How often an agent refreshes its document when nothing changes. */
export const REGISTRY_HEARTBEAT_MS = 3_000;

export type ReplicaState = 'starting' | 'ready' | 'draining';
export type ReplicaPriority = 'Spot' | 'Regular';

export interface RegistryDoc {
  /** The VM instance name (unique within the stack). */
  id: string;
  /** Pool name from gpuarb.yaml; the partition key. */
  pool: string;
  /** Model id served, as clients name it (e.g. "phi3-mini"). */
  model: string;
  /** Base URL of the agent's OpenAI API, e.g. "http://10.0.1.4:8080" (no trailing slash). */
  address: string;
  state: ReplicaState;
  inFlight: number;
  queue: number;
  /** Output tokens per second over the last few seconds. */
  tokensPerSecond: number;
  zone: string | null;
  priority: ReplicaPriority;
  engine: 'vllm' | 'llamacpp' | 'sim';
  /** True when the engine is the simulator: answers are labelled as simulated. */
  simulated: boolean;
  /** Epoch milliseconds of the last upsert. */
  lastSeen: number;
  /** Cosmos TTL in seconds, a backstop on real Cosmos only. */
  ttl?: number;
  /** HMAC of the routing fields with the pool's registry key (see registrySignature). */
  sig?: string;
}

/**
 * The key a pool's agents sign their entries with: derived from the internal service key (which
 * only the agents and the gateway hold) and the pool name, so a key of one pool verifies no entry
 * of another, and a rotation of the internal key rotates every registry key with it.
 */
export function registryKey(internalKey: string, pool: string): Buffer {
  return createHmac('sha256', internalKey).update(`gpuarb-registry\0${pool}`).digest();
}

/**
 * Signature over what the gateway routes by (who, which pool and model, where, in what state,
 * when). lastSeen is covered so a copied old entry goes stale like its source; the load figures
 * are not, since a writer that holds the key could lie about them anyway.
 */
export function registrySignature(key: Buffer, doc: Omit<RegistryDoc, 'sig' | 'ttl'>): string {
  const signed = JSON.stringify([doc.id, doc.pool, doc.model, doc.address, doc.state, doc.lastSeen]);
  return createHmac('sha256', key).update(signed).digest('base64url');
}

/** True when `doc.sig` is the signature of `doc` under `key` (constant-time comparison). */
export function registrySignatureValid(key: Buffer, doc: RegistryDoc): boolean {
  if (typeof doc.sig !== 'string' || typeof doc.address !== 'string') return false;
  const want = Buffer.from(registrySignature(key, doc));
  const got = Buffer.from(doc.sig);
  return got.length === want.length && timingSafeEqual(got, want);
}
