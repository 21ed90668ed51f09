// Reads the replica registry (written by the fleet agents) with a short cache: data is never
// older than `cacheMs` (≤ 2 s) when used, and a background refresh starts at half that age so
// steady traffic never waits for Cosmos. Staleness is judged from `lastSeen`, never from TTL.
import type { Container } from '@azure/cosmos';
import type { RegistryDoc } from '../contracts/registry.js';

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

export function createRegistryReader(
  container: Container,
  opts: { cacheMs: number; staleAfterMs: number; now?: () => number },
): RegistryReader {
  const now = opts.now ?? Date.now;
  let snap: RegistrySnapshot | undefined;
  let pending: Promise<RegistrySnapshot> | undefined;

  const read = async (): Promise<RegistrySnapshot> => {
    const { resources } = await container.items.query<RegistryDoc>('SELECT * FROM c').fetchAll();
    snap = { readAt: now(), docs: resources };
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
