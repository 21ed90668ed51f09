// Reads the replica registry (written by the fleet agents) with a short cache: data is never
// older than `cacheMs` (≤ 2 s) when used, and a background refresh starts at half that age so
// steady traffic never waits for Cosmos. Staleness is judged from `lastSeen`, never from TTL.
// Only entries signed with their pool's registry key are kept: write access to the container is
// not enough to become a replica (an entry planted there would receive customers' prompts). With
// per-pool registry secrets, a key held by one pool's VMs signs for no other pool; with
// allowedNetworks, an entry pointing outside the GPU subnet is dropped whoever signed it.
import { BlockList, isIP } from 'node:net';
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

/** Who may be a replica: each pool's signing secrets, and the networks addresses must be in. */
export interface ReplicaTrust {
  /** The secrets `pool`'s entries may be signed under (current, then previous); none: no replicas. */
  secretsOf(pool: string): Promise<readonly string[]>;
  /** CIDR networks a replica's address must be in; undefined: any address. */
  allowedNetworks?: readonly string[];
}

/** A BlockList used as an allow list: `check` is true for an address inside one of the networks. */
export function networkList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** True when `address` (a base URL) names an IP literal inside `networks`; a host name never is. */
export function addressAllowed(address: string, networks: BlockList): boolean {
  let host: string;
  try {
    host = new URL(address).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  const family = isIP(host);
  return family !== 0 && networks.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/** Keeps the docs signed with their pool's key under one of that pool's secrets, at an allowed address. */
export function authenticReplicas(
  docs: RegistryDoc[],
  secretsByPool: ReadonlyMap<string, readonly string[]>,
  networks?: BlockList,
): RegistryDoc[] {
  const keys = new Map<string, Buffer[]>();
  const keysOf = (pool: string) => {
    let k = keys.get(pool);
    if (!k) {
      k = (secretsByPool.get(pool) ?? []).map((secret) => registryKey(secret, pool));
      keys.set(pool, k);
    }
    return k;
  };
  return docs.filter(
    (d) =>
      typeof d.pool === 'string' &&
      keysOf(d.pool).some((k) => registrySignatureValid(k, d)) &&
      (!networks || addressAllowed(d.address, networks)),
  );
}

export function createRegistryReader(
  container: Container,
  opts: { cacheMs: number; staleAfterMs: number; now?: () => number },
  trust: ReplicaTrust,
): RegistryReader {
  const now = opts.now ?? Date.now;
  const networks = trust.allowedNetworks ? networkList(trust.allowedNetworks) : undefined;
  let snap: RegistrySnapshot | undefined;
  let pending: Promise<RegistrySnapshot> | undefined;

  const read = async (): Promise<RegistrySnapshot> => {
    const { resources } = await container.items.query<RegistryDoc>('SELECT * FROM c').fetchAll();
    const pools = [...new Set(resources.map((d) => d.pool).filter((p): p is string => typeof p === 'string'))];
    const secrets = new Map(await Promise.all(pools.map(async (p) => [p, await trust.secretsOf(p)] as const)));
    snap = { readAt: now(), docs: authenticReplicas(resources, secrets, networks) };
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
