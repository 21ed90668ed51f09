// A Clock tests move by hand. `advance(ms)` fires due timers in order, letting the promise chains
// they wake run to their next sleep before moving on, so sequences of sleeps behave as on a real clock.
// `now` is bound, so code that takes only a time source can be handed `clock.now`.
import type { Clock } from '../lib/clock.js';

const resolved = Promise.resolve();

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  constructor(start = 1_000_000) {
    this.current = start;
  }

  now = (): number => this.current;

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms <= 0) return resolved; // as on the real clock: no latency means no wait at all
    return new Promise((resolve, reject) => {
      const timer: Timer = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Number of pending sleeps (lets tests wait until work has reached a sleep). */
  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.resolve();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Advances to each next timer until none is left (bounded, so a runaway loop fails loudly). */
  async runAll(maxTimers = 100_000): Promise<void> {
    await settle();
    for (let i = 0; ; i++) {
      const next = this.nextDue(Infinity);
      if (!next) return;
      if (i >= maxTimers) throw new Error('FakeClock.runAll: too many timers');
      await this.advance(next.at - this.current);
    }
  }

  private nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    return best;
  }
}

/** Lets every promise chain woken so far run until it waits again (a macrotask boundary). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
