// Arrivals. Open loop (default): Poisson arrivals at the given rate, each request sent at its
// scheduled time whether or not earlier ones have answered, and its latency measured from that
// scheduled time — so a stalled server shows its stall in every request that queued behind it
// (no coordinated omission). Closed loop (--concurrency): C workers each send, wait, send again;
// it measures capacity, and by design it slows down with the server.
import type { WorkloadSource } from './builtin-workload.js';
import type { Sender } from './http-client.js';
import type { Recorder } from './recorder.js';
import type { Rng } from './rng.js';
import type { Arrival } from './types.js';

export interface LoadInput {
  arrival: Arrival;
  durationMs: number;
  workload: WorkloadSource;
  sender: Sender;
  recorder: Recorder;
  rng: Rng;
  now: () => number;
  signal: AbortSignal;
  /** Counters to update (e.g. shared with a live view started earlier); default: new ones. */
  progress?: LoadProgress;
}

export interface LoadProgress {
  sent: number;
  inFlight: number;
}

export interface LoadRun {
  progress: LoadProgress;
  /** Resolves when the last request has answered (each is bounded by the request timeout). */
  done: Promise<void>;
}

export function startLoad(input: LoadInput): LoadRun {
  const progress: LoadProgress = input.progress ?? { sent: 0, inFlight: 0 };
  const done =
    input.arrival.kind === 'open' ? openLoop(input, input.arrival.rate, progress) : closedLoop(input, input.arrival.concurrency, progress);
  return { progress, done };
}

function launch(input: LoadInput, scheduledAt: number, progress: LoadProgress): Promise<void> {
  progress.sent += 1;
  progress.inFlight += 1;
  return input.sender.send(input.workload.next(), scheduledAt).then((o) => {
    progress.inFlight -= 1;
    input.recorder.add(o);
  });
}

function openLoop(input: LoadInput, ratePerSec: number, progress: LoadProgress): Promise<void> {
  const { rng, now, durationMs, signal } = input;
  const gapMs = () => rng.exponential(ratePerSec) * 1000;
  const pending = new Set<Promise<void>>();
  let nextAt = gapMs();
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      void Promise.all(pending).then(() => resolve());
    };
    signal.addEventListener('abort', finish, { once: true });
    const tick = () => {
      if (signal.aborted) return;
      const t = now();
      // Timers fire late by a millisecond or more; send everything that is due, each stamped
      // with its own scheduled time, so the schedule (not the timer) defines the arrivals.
      while (nextAt <= t && nextAt < durationMs) {
        const p = launch(input, nextAt, progress);
        pending.add(p);
        void p.then(() => pending.delete(p));
        nextAt += gapMs();
      }
      if (nextAt >= durationMs) return finish();
      timer = setTimeout(tick, Math.max(0, nextAt - now()));
    };
    tick();
  });
}

async function closedLoop(input: LoadInput, concurrency: number, progress: LoadProgress): Promise<void> {
  const { now, durationMs, signal } = input;
  const worker = async () => {
    while (!signal.aborted && now() < durationMs) await launch(input, now(), progress);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
