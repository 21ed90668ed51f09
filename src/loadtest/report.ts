// The final report: plain data (what --json prints), built once from the recorder, the chaos
// events and the SLO. Renderers (table, HTML) read only this.
import { percentilesMs, type Recorder, type Stats } from './recorder.js';
import { evaluateSlo, type Objective, type ObjectiveResult, type Percentiles, type SloFigures } from './slo.js';
import type { Arrival, ChaosEvent, ErrorClass } from './types.js';

export interface Figures {
  requests: number;
  ok: number;
  failed: number;
  errorRate: number;
  rpm: number;
  tokensPerSec: number;
  latencyMs: Percentiles | null;
  ttftMs: Percentiles | null;
  tpotMs: Percentiles | null;
  cache: { hit: number; miss: number; bypass: number; none: number; hitRate: number | null };
}

export interface WindowFigures {
  fromSec: number;
  toSec: number;
  requests: number;
  failed: number;
  latencyMs: Percentiles | null;
}

export interface LoadReport {
  target: string;
  arrival: Arrival;
  durationSec: number;
  workload: string;
  stream: boolean;
  seed: number;
  overall: Figures & {
    availability: number | null;
    /** Whole-request latency at fixed percentiles, for the distribution chart. */
    distribution: Array<{ percentile: number; latencyMs: number }>;
    errors: { byClass: Record<ErrorClass, number>; byKey: Array<{ key: string; class: ErrorClass; count: number; example: string }> };
  };
  perModel: Record<string, Figures>;
  timeline: Array<{ second: number; requests: number; failed: number; latencyMs: Percentiles | null }>;
  /** The generator's own lateness: if high, the figures measure the generator, not the stack. */
  generator: { sendLagP99Ms: number; sendLagMaxMs: number; saturated: boolean };
  events: Array<ChaosEvent & { before: WindowFigures; after: WindowFigures }>;
  slo: { passed: boolean; objectives: ObjectiveResult[]; missed: string[] } | null;
}

/** Seconds either side of a chaos event that the report compares. */
const EVENT_WINDOW_SEC = 10;
const DISTRIBUTION_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 100];
/** Send lag past which the generator, not the server, is the bottleneck. */
const SATURATION_LAG_MS = 50;

function figures(s: Stats, durationSec: number): Figures {
  const minutes = durationSec / 60;
  return {
    requests: s.requests,
    ok: s.ok,
    failed: s.failed,
    errorRate: s.requests === 0 ? 0 : s.failed / s.requests,
    rpm: minutes > 0 ? s.ok / minutes : 0,
    tokensPerSec: durationSec > 0 ? s.completionTokens / durationSec : 0,
    latencyMs: percentilesMs(s.latency),
    ttftMs: percentilesMs(s.ttft),
    tpotMs: percentilesMs(s.tpot),
    cache: { ...s.cache, hitRate: s.cacheHitRate },
  };
}

export interface ReportInput {
  target: string;
  arrival: Arrival;
  durationSec: number;
  workload: string;
  stream: boolean;
  seed: number;
  recorder: Recorder;
  events: ChaosEvent[];
  objectives: Objective[] | null;
}

export function buildReport(i: ReportInput): LoadReport {
  const r = i.recorder;
  const overall = figures(r.overall, i.durationSec);
  const byClass: Record<ErrorClass, number> = { timeout: 0, connection: 0, http4xx: 0, http5xx: 0, streamBroken: 0, badResponse: 0 };
  const byKey = [...r.overall.errors]
    .map(([key, e]) => ({ key, class: e.class, count: e.count, example: e.example }))
    .sort((a, b) => b.count - a.count);
  for (const e of byKey) byClass[e.class] += e.count;
  const availability = r.availability();
  const sloFigures: SloFigures = {
    latencyMs: overall.latencyMs,
    ttftMs: overall.ttftMs,
    errorRate: overall.errorRate,
    cacheHitRate: overall.cache.hitRate,
    rpm: overall.rpm,
    availability,
  };
  const results = i.objectives ? evaluateSlo(i.objectives, sloFigures) : null;
  const lag = percentilesMs(r.sendLag);
  return {
    target: i.target,
    arrival: i.arrival,
    durationSec: i.durationSec,
    workload: i.workload,
    stream: i.stream,
    seed: i.seed,
    overall: {
      ...overall,
      availability,
      distribution:
        r.overall.latency.totalCount === 0
          ? []
          : DISTRIBUTION_PERCENTILES.map((p) => ({ percentile: p, latencyMs: r.overall.latency.getValueAtPercentile(p) / 1000 })),
      errors: { byClass, byKey },
    },
    perModel: Object.fromEntries([...r.perModel].sort(([a], [b]) => a.localeCompare(b)).map(([m, s]) => [m, figures(s, i.durationSec)])),
    timeline: r.seconds.map((b, second) => ({ second, requests: b.requests, failed: b.failed, latencyMs: percentilesMs(b.latency) })),
    generator: {
      sendLagP99Ms: lag?.p99 ?? 0,
      sendLagMaxMs: lag?.max ?? 0,
      saturated: i.arrival.kind === 'open' && (lag?.p99 ?? 0) > SATURATION_LAG_MS,
    },
    events: i.events.map((e) => {
      const at = Math.floor(e.atSec);
      const win = (fromSec: number, toSec: number): WindowFigures => ({ fromSec, toSec, ...r.window(fromSec, toSec) });
      return { ...e, before: win(Math.max(0, at - EVENT_WINDOW_SEC), at), after: win(at, at + EVENT_WINDOW_SEC) };
    }),
    slo: results && { passed: results.every((o) => o.met), objectives: results, missed: results.filter((o) => !o.met).map((o) => o.text) },
  };
}
