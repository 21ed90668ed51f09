// What the live view shows, computed from the recorder every tick: the same numbers for the Ink
// view on a terminal and for the plain lines on a pipe.
import { percentilesMs, type Recorder } from './recorder.js';
import type { LoadProgress } from './runner.js';
import { ms, pct } from './format.js';

export interface LiveSnapshot {
  elapsedSec: number;
  durationSec: number;
  sent: number;
  inFlight: number;
  /** Requests sent per second since the previous snapshot. */
  sendRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  failed: number;
  errorRate: number;
  cacheHitRate: number | null;
}

export function snapshotter(recorder: Recorder, progress: LoadProgress, durationSec: number, now: () => number) {
  let lastSent = 0;
  let lastAt = 0;
  return (): LiveSnapshot => {
    const t = now();
    const sendRate = t > lastAt ? ((progress.sent - lastSent) * 1000) / (t - lastAt) : 0;
    lastSent = progress.sent;
    lastAt = t;
    const o = recorder.overall;
    const p = percentilesMs(o.latency);
    return {
      elapsedSec: Math.min(durationSec, t / 1000),
      durationSec,
      sent: progress.sent,
      inFlight: progress.inFlight,
      sendRate,
      p50Ms: p?.p50 ?? null,
      p95Ms: p?.p95 ?? null,
      p99Ms: p?.p99 ?? null,
      failed: o.failed,
      errorRate: o.requests ? o.failed / o.requests : 0,
      cacheHitRate: o.cacheHitRate,
    };
  };
}

/** One plain progress line (stderr when not a terminal). */
export function progressLine(s: LiveSnapshot): string {
  return (
    `[${s.elapsedSec.toFixed(0)}s/${s.durationSec}s] sent ${s.sent} (${s.sendRate.toFixed(1)}/s), in flight ${s.inFlight} | ` +
    `p50 ${ms(s.p50Ms)} p95 ${ms(s.p95Ms)} p99 ${ms(s.p99Ms)} | errors ${s.failed} (${pct(s.errorRate, 2)}) | cache ${pct(s.cacheHitRate)}`
  );
}
