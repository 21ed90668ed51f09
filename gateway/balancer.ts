// Replica choice: power of two choices. Pick two distinct candidates at random and take the one
// with less outstanding work, where work = the registry's in-flight + queue (as the agent last
// reported it, up to 2 s old) + this gateway's own in-flight requests to it (exact, immediate).
// P2C avoids the herd effect of "always the least loaded" with stale load data.
import type { RegistryDoc } from '../contracts/registry.js';

export interface Balancer {
  pick(candidates: RegistryDoc[], exclude: ReadonlySet<string>): RegistryDoc | undefined;
  /** Counts a request to a replica until the returned function is called. */
  acquire(replicaId: string): () => void;
  /** Keeps a replica out of choices for a while (refused connection, draining). */
  eject(replicaId: string, forMs: number): void;
  inFlight(replicaId: string): number;
}

export function createBalancer(random: () => number = Math.random, now: () => number = Date.now): Balancer {
  const local = new Map<string, number>();
  const ejected = new Map<string, number>();
  const load = (d: RegistryDoc) => (d.inFlight ?? 0) + (d.queue ?? 0) + (local.get(d.id) ?? 0);
  const usable = (d: RegistryDoc, exclude: ReadonlySet<string>) => {
    if (exclude.has(d.id)) return false;
    const until = ejected.get(d.id);
    if (until === undefined) return true;
    if (until <= now()) {
      ejected.delete(d.id);
      return true;
    }
    return false;
  };
  return {
    pick(candidates, exclude) {
      let pool = candidates.filter((d) => usable(d, exclude));
      // Every replica ejected? Ejection is a hint, not a verdict: try them rather than fail.
      if (pool.length === 0) pool = candidates.filter((d) => !exclude.has(d.id));
      if (pool.length <= 1) return pool[0];
      const i = Math.floor(random() * pool.length);
      let j = Math.floor(random() * (pool.length - 1));
      if (j >= i) j++;
      const a = pool[i];
      const b = pool[j];
      return load(b) < load(a) ? b : a;
    },
    acquire(id) {
      local.set(id, (local.get(id) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const n = (local.get(id) ?? 1) - 1;
        if (n <= 0) local.delete(id);
        else local.set(id, n);
      };
    },
    eject(id, forMs) {
      ejected.set(id, now() + forMs);
    },
    inFlight: (id) => local.get(id) ?? 0,
  };
}
