// Chaos during the load: evictions every N seconds and one secret rotation, each recorded as an
// event (when, what, whether the call worked) that the report sets against errors and latency.
import type { Evictor } from './spot-evictor.js';
import type { SecretRotator } from './secret-rotation.js';
import type { ChaosEvent, ChaosPlan } from './types.js';

export interface ChaosInput {
  plan: ChaosPlan;
  durationMs: number;
  now: () => number;
  evictor?: Evictor;
  rotator?: SecretRotator;
  onEvent(e: ChaosEvent): void;
}

/** Longest a chaos call may hold up the end of the report. */
const SETTLE_MS = 30_000;

export function startChaos(input: ChaosInput): { stop(): Promise<void> } {
  const timers: NodeJS.Timeout[] = [];
  const calls = new Set<Promise<void>>();
  const fire = (plannedMs: number, kind: ChaosEvent['kind'], act: () => Promise<string>) => {
    // Timers may fire a fraction of a millisecond early on the monotonic clock: never record an
    // event before its planned time.
    const atSec = Math.max(plannedMs, input.now()) / 1000;
    const p = act().then(
      (detail) => input.onEvent({ atSec, kind, ok: true, detail }),
      (e: unknown) => input.onEvent({ atSec, kind, ok: false, detail: (e as Error).message }),
    );
    calls.add(p);
    void p.finally(() => calls.delete(p));
  };
  const at = (ms: number, kind: ChaosEvent['kind'], act: () => Promise<string>) => {
    if (ms < input.durationMs) timers.push(setTimeout(() => fire(ms, kind, act), Math.max(0, ms - input.now())));
  };
  const { evictEverySec, rotateSecretAtSec } = input.plan;
  if (evictEverySec && input.evictor) {
    const evictor = input.evictor;
    for (let t = evictEverySec * 1000; t < input.durationMs; t += evictEverySec * 1000)
      at(t, 'evict', async () => `evicted ${await evictor.evictOne()}`);
  }
  if (rotateSecretAtSec !== undefined && input.rotator) {
    const rotator = input.rotator;
    at(rotateSecretAtSec * 1000, 'rotate-secret', () => rotator.rotate());
  }
  return {
    async stop() {
      for (const t of timers) clearTimeout(t);
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(calls), new Promise((r) => (bound = setTimeout(r, SETTLE_MS)))]);
      clearTimeout(bound);
    },
  };
}
