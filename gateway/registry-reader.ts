// Reads the replica registry (written by the fleet agents) with a short cache: data is never
// older than `cacheMs` (≤ 2 s) when used, and a background refresh starts at half that age so
// steady traffic never waits for Cosmos. Staleness is judged from `lastSeen`, never from TTL.
// Only entries signed with their pool's registry key are kept: write access to the container is
// not enough to become a replica (an entry planted there would receive customers' prompts).
import type { Container } from '@azure/cosmos';
import { type RegistryDoc, registryKey, registrySignatureValid } from '../contracts/registry.js';

export interface RegistrySnapshot {
  readAt: number;
  docs: RegistryDoc[];
}

export interface RegistryReader {
  /** Ready, non-draining replicas of `model` with a fresh lastSeen. */
  ready(model: string): Promise<RegistryDoc[]>;
  /** Forces a read now (health checks use it to prove the registry is reachable). */
  refresh(): Promise<RegistrySnapshot>;
  /** Last successful read, if any. */
  last(): RegistrySnapshot | undefined;
}

/** Keeps the docs signed with their pool's key under one of the accepted internal keys. */
export function authenticReplicas(docs: RegistryDoc[], internalKeys: readonly string[]): RegistryDoc[] {
  const keys = new Map<string, Buffer[]>();
  const keysOf = (pool: string) => {
    let k = keys.get(pool);
    if (!k) {
      k = internalKeys.map((internal) => registryKey(internal, pool));
      keys.set(pool, k);
    }
    return k;
  };
  return docs.filter((d) => typeof d.pool === 'string' && keysOf(d.pool).some((k) => registrySignatureValid(k, d)));
}

export function createRegistryReader(
  container: Container,
  opts: { cacheMs: number; staleAfterMs: number; now?: () => number },
  /** The internal service keys accepted now (current and, during a rotation, previous). */
  internalKeys: () => Promise<string[]>,
): RegistryReader {
  const now = opts.now ?? Date.now;
  let snap: RegistrySnapshot | undefined;
  let pending: Promise<RegistrySnapshot> | undefined;

  const read = async (): Promise<RegistrySnapshot> => {
    const [{ resources }, keys] = await Promise.all([container.items.query<RegistryDoc>('SELECT * FROM c').fetchAll(), internalKeys()]);
    snap = { readAt: now(), docs: authenticReplicas(resources, keys) };
    return snap;
  };
  const refresh = () => (pending ??= read().finally(() => (pending = undefined)));

  const current = async (): Promise<RegistrySnapshot> => {
    const age = snap ? now() - snap.readAt : Infinity;
    if (!snap || age > opts.cacheMs) return refresh();
    if (age > opts.cacheMs / 2) refresh().catch(() => {});
    return snap;
  };

  return {
    async ready(model) {
      const { docs } = await current();
      const t = now();
      return docs.filter(
        (d) => d.model === model && d.state === 'ready' && t - d.lastSeen <= opts.staleAfterMs && typeof d.address === 'string',
      );
    },
    refresh,
    last: () => snap,
  };
}
