// Collects outcomes into HDR histograms (hdr-histogram-js): overall, per model, and per second of
// the run (for latency over time, availability and the figures around chaos events).
// Values are recorded in microseconds; everything read out is in milliseconds.
import { build, type Histogram } from 'hdr-histogram-js';
import type { Percentiles } from './slo.js';
import type { CacheOutcome, ErrorClass, Outcome } from './types.js';

const HOUR_US = 3_600_000_000;

function histogram(precise: boolean): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HOUR_US,
    numberOfSignificantValueDigits: precise ? 3 : 2,
    // Per-second histograms are many and mostly sparse: the packed layout keeps them small.
    bitBucketSize: precise ? 32 : 'packed',
    autoResize: true,
  });
}

const record = (h: Histogram, ms: number) => h.recordValue(Math.min(HOUR_US, Math.max(1, Math.round(ms * 1000))));

export function percentilesMs(h: Histogram): Percentiles | null {
  if (h.totalCount === 0) return null;
  // A percentile is reported as its bucket's upper edge; never let it pass the true maximum.
  const max = h.maxValue / 1000;
  const at = (p: number) => Math.min(max, h.getValueAtPercentile(p) / 1000);
  return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), max };
}

export class Stats {
  requests = 0;
  ok = 0;
  completionTokens = 0;
  readonly errors = new Map<string, { class: ErrorClass; count: number; example: string }>();
  readonly cache: Record<CacheOutcome | 'none', number> = { hit: 0, miss: 0, bypass: 0, none: 0 };
  readonly latency = histogram(true);
  readonly ttft = histogram(true);
  readonly tpot = histogram(true);
  /** Answers that reached a GPU (not cache hits), for the per-pool throughput record. */
  readonly gpu = { answers: 0, completionTokens: 0, promptTokens: 0, withoutPromptCount: 0, busyMs: 0, simulated: 0 };

  add(o: Outcome): void {
    this.requests += 1;
    if (!o.ok && o.error) {
      const e = this.errors.get(o.error.key) ?? { class: o.error.class, count: 0, example: o.error.message };
      e.count += 1;
      this.errors.set(o.error.key, e);
      return;
    }
    this.ok += 1;
    this.completionTokens += o.completionTokens;
    this.cache[o.cache ?? 'none'] += 1;
    if (o.simulated) this.gpu.simulated += 1;
    if (o.cache !== 'hit') {
      this.gpu.answers += 1;
      this.gpu.completionTokens += o.completionTokens;
      this.gpu.busyMs += o.latencyMs;
      if (o.promptTokens === undefined) this.gpu.withoutPromptCount += 1;
      else this.gpu.promptTokens += o.promptTokens;
    }
    record(this.latency, o.latencyMs);
    if (o.ttftMs !== undefined) record(this.ttft, o.ttftMs);
    if (o.tpotMs !== undefined) record(this.tpot, o.tpotMs);
  }

  get failed(): number {
    return this.requests - this.ok;
  }

  /** Hits over every answer that carried the cache header (bypass included: it cost GPU time). */
  get cacheHitRate(): number | null {
    const judged = this.cache.hit + this.cache.miss + this.cache.bypass;
    return judged === 0 ? null : this.cache.hit / judged;
  }
}

/** One second of the run, by scheduled send time. */
export interface SecondBucket {
  requests: number;
  failed: number;
  latency: Histogram;
}

export class Recorder {
  readonly overall = new Stats();
  readonly perModel = new Map<string, Stats>();
  readonly seconds: SecondBucket[] = [];
  /** The generator's own lateness (actual send − scheduled), to flag a saturated generator. */
  readonly sendLag = histogram(true);
  /** When the last outcome arrived, ms since the start. */
  lastAt = 0;

  add(o: Outcome): void {
    this.overall.add(o);
    let m = this.perModel.get(o.model);
    if (!m) {
      m = new Stats();
      this.perModel.set(o.model, m);
    }
    m.add(o);
    const s = Math.floor(o.scheduledAt / 1000);
    while (this.seconds.length <= s) this.seconds.push({ requests: 0, failed: 0, latency: histogram(false) });
    const b = this.seconds[s];
    b.requests += 1;
    if (o.ok) record(b.latency, o.latencyMs);
    else b.failed += 1;
    record(this.sendLag, o.sentAt - o.scheduledAt);
    this.lastAt = Math.max(this.lastAt, o.scheduledAt + o.latencyMs);
  }

  /** Share of seconds (with at least one request) in which every request succeeded. */
  availability(): number | null {
    const judged = this.seconds.filter((b) => b.requests > 0);
    return judged.length === 0 ? null : judged.filter((b) => b.failed === 0).length / judged.length;
  }

  /** Merged figures over the seconds [fromSec, toSec). */
  window(fromSec: number, toSec: number): { requests: number; failed: number; latencyMs: Percentiles | null } {
    const h = histogram(false);
    let requests = 0;
    let failed = 0;
    for (let s = Math.max(0, fromSec); s < Math.min(toSec, this.seconds.length); s++) {
      const b = this.seconds[s];
      requests += b.requests;
      failed += b.failed;
      h.add(b.latency);
    }
    return { requests, failed, latencyMs: percentilesMs(h) };
  }
}
