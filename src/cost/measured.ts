// The platform's own throughput measurements of a pool, and the `measured → cited → none` choice.
// Two kinds: what the pool actually served (metered tokens ÷ replica-seconds of its VMs: the
// load we really see, so no utilisation is applied on top) and what a `gpuarb loadtest` drove
// through it (output tokens/s per replica at the concurrency it measured: a capacity figure, so
// `cost.utilisation` applies as for a cited row). A figure measured on the sim engine is kept and
// shown, labelled simulated, but never used for a cost per token. Pure.
import type { PoolConfig } from '../config/schema.js';
import { type Sourced, sourced } from './sourced.js';
import type { ThroughputRow } from './throughput-table.js';

export interface MeasuredThroughput {
  kind: 'metering' | 'loadtest';
  /** served: tokens the pool actually produced (utilisation included); capacity: at a measured concurrency. */
  basis: 'served' | 'capacity';
  outputTokensPerSecond: number;
  inputTokensPerSecond: number | null;
  /** True when the replicas ran the sim engine: the figure is not throughput. */
  simulated: boolean;
  engine: string;
  sku: string;
  /** ISO time the measurement ended. */
  at: string;
  /** What was measured, over what, in words (window, replicas, concurrency, tokens). */
  detail: string;
}

export interface ChosenThroughput {
  throughput: Sourced<{ outputTokensPerSecond: number; inputTokensPerSecond: number | null } | null>;
  /** The measurement or row used, and its basis (decides whether utilisation applies). */
  basis: 'served' | 'capacity' | null;
  /** Every measurement of the pool, the simulated ones included (shown, never used). */
  measured: MeasuredThroughput[];
  notes: string[];
}

/** Metered tokens ÷ replica-seconds: null when there is nothing to divide (no hours or no tokens). */
export function meteredThroughput(p: {
  gpuCompletionTokens: number;
  gpuPromptTokens: number;
  replicaHours: number;
  simulated: boolean;
  engine: string;
  sku: string;
  at: string;
  window: string;
}): MeasuredThroughput | null {
  const replicaSeconds = p.replicaHours * 3600;
  if (!(replicaSeconds > 0) || !(p.gpuCompletionTokens > 0)) return null;
  const out = p.gpuCompletionTokens / replicaSeconds;
  const inn = p.gpuPromptTokens / replicaSeconds;
  return {
    kind: 'metering',
    basis: 'served',
    outputTokensPerSecond: out,
    inputTokensPerSecond: inn,
    simulated: p.simulated,
    engine: p.engine,
    sku: p.sku,
    at: p.at,
    detail:
      `metering ${p.window}: ${Math.round(p.gpuCompletionTokens)} output and ${Math.round(p.gpuPromptTokens)} input tokens ` +
      `produced on GPUs (cache hits excluded) ÷ ${p.replicaHours.toFixed(2)} replica-hours of the pool's VMs`,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The throughput `cost` uses for a pool on its own SKU: a real (not simulated) measurement on
 * that SKU (metering first: it is the load actually seen; then the newest load test), else the
 * cited row, else none. `onOwnSku` is false for --recommend's other SKUs: a pool's measurement
 * says nothing about another GPU.
 */
export function chooseThroughput(
  pool: PoolConfig,
  measured: MeasuredThroughput[],
  row: ThroughputRow | undefined,
  onOwnSku: boolean,
  what: string,
): ChosenThroughput {
  const notes: string[] = [];
  const usable = onOwnSku ? measured.filter((m) => !m.simulated && m.sku === pool.sku) : [];
  for (const m of measured.filter((x) => x.simulated))
    notes.push(
      `${pool.name}: the ${m.kind} figure (${round(m.outputTokensPerSecond)} output tok/s per replica) was measured on the sim engine: ` +
        'shown as simulated, not used for a cost per token',
    );
  const pick =
    usable.find((m) => m.kind === 'metering') ?? usable.filter((m) => m.kind === 'loadtest').sort((a, b) => b.at.localeCompare(a.at))[0];
  if (pick)
    return {
      throughput: sourced(
        { outputTokensPerSecond: pick.outputTokensPerSecond, inputTokensPerSecond: pick.inputTokensPerSecond },
        'measured',
        `${pick.kind === 'metering' ? 'served' : 'load test'}, ${pick.engine} on ${pick.sku}: ${pick.detail}`,
        pick.at,
      ),
      basis: pick.basis,
      measured,
      notes,
    };
  if (row)
    return {
      throughput: sourced(
        { outputTokensPerSecond: row.outputTokensPerSecond, inputTokensPerSecond: row.inputTokensPerSecond },
        'cited',
        `${row.engine} (${row.engineVersion}), ${row.gpu}, ${row.precision}, ${row.concurrency}: ${row.source}`,
        row.measuredOn,
      ),
      basis: 'capacity',
      measured,
      notes,
    };
  return {
    throughput: sourced(null, 'cited', `no real measurement and no cited row for ${what}`),
    basis: null,
    measured,
    notes,
  };
}
