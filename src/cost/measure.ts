// The I/O half of measured throughput: the load-test records kept on this machine
// (loadtest-records.ts) and the served rate from metering — the gateway's usage counters
// (tokens per customer, model and UTC day) over the pools' VM hours in the same window
// (src/ops/pool-hours.ts). A source that cannot be read is a note, never a failed `cost`.
import type { PoolConfig } from '../config/schema.js';
import type { Context } from '../core/context.js';
import type { OpsStack } from '../ops/stack.js';
import { type MeasuredThroughput, meteredThroughput } from './measured.js';

/** The metering window: the last 7 UTC days, today included. */
export const METERING_WINDOW_SECONDS = 6 * 86_400;

const short = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];
const at = (byPool: Map<string, MeasuredThroughput[]>, pool: string) => {
  if (!byPool.has(pool)) byPool.set(pool, []);
  return byPool.get(pool) as MeasuredThroughput[];
};

/**
 * Which figures are simulated: a pool configured with the sim engine, and every pool of the local
 * cloud, whose VMs all run the sim engine whatever the config says (emulator/runtime/agent-fleet.ts).
 */
export function runsSimulated(stack: Pick<OpsStack, 'target'>, pool: Pick<PoolConfig, 'engine'>): boolean {
  return pool.engine === 'sim' || stack.target.kind === 'local';
}

export async function readMeasurements(
  ctx: Context,
  stack: OpsStack,
  pools: PoolConfig[],
): Promise<{ byPool: Map<string, MeasuredThroughput[]>; notes: string[] }> {
  const byPool = new Map<string, MeasuredThroughput[]>();
  const notes: string[] = [];
  const records = await import('./loadtest-records.js');
  const file = records.recordsFile(stack.target, ctx.cwd, stack.resourceGroup);
  const where = records.shownPath(ctx.cwd, file);
  try {
    for (const [pool, r] of await records.readLoadtestRecords(file)) {
      if (!pools.some((p) => p.name === pool)) continue;
      const input = r.inputTokensPerSecondPerReplica;
      at(byPool, pool).push({
        kind: 'loadtest',
        basis: 'capacity',
        outputTokensPerSecond: r.outputTokensPerSecondPerReplica,
        inputTokensPerSecond: input,
        simulated: r.simulated,
        engine: r.engine,
        sku: r.sku,
        at: r.measuredAt,
        detail:
          `gpuarb loadtest of ${Math.round(r.durationSec)} s, ${r.replicas.toFixed(2)} replicas, ` +
          `${r.concurrencyPerReplica.toFixed(2)} requests in flight per replica, ${r.gpuAnswers} answers from GPUs (${where})`,
      });
    }
  } catch (e) {
    notes.push(`load-test throughput records not read: ${short(e)}`);
  }
  try {
    await meteredInto(ctx, stack, pools, byPool);
  } catch (e) {
    notes.push(`throughput from metering not read: ${short(e)}`);
  }
  return { byPool, notes };
}

async function meteredInto(ctx: Context, stack: OpsStack, pools: PoolConfig[], byPool: Map<string, MeasuredThroughput[]>) {
  const [{ usageReport }, { poolHours }] = await Promise.all([import('../ops/usage.js'), import('../ops/pool-hours.js')]);
  const usage = await usageReport(ctx, { sinceSeconds: METERING_WINDOW_SECONDS });
  const hours = await poolHours(ctx, { fromMs: Date.parse(`${usage.from}T00:00:00Z`) });
  const now = new Date(ctx.clock.now()).toISOString();
  for (const pool of pools) {
    // An answer's usage names the model, not the pool: several pools of one model cannot be told apart.
    if (stack.config.pools.filter((p) => p.model === pool.model).length !== 1) continue;
    const lines = usage.lines.filter((l) => l.model === pool.model);
    // Cache hits are counted per request, so the GPUs' share of a line's tokens is its share of
    // requests that were not hits (as `usage --margin` attributes them).
    const share = (l: (typeof lines)[number]) => (l.requests > 0 ? Math.max(0, 1 - l.cacheHits / l.requests) : 1);
    const h = hours.get(pool.name);
    const simulated = runsSimulated(stack, pool);
    const m = meteredThroughput({
      gpuCompletionTokens: lines.reduce((s, l) => s + l.completionTokens * share(l), 0),
      gpuPromptTokens: lines.reduce((s, l) => s + l.promptTokens * share(l), 0),
      replicaHours: h ? h.regularHours + h.spotHours : 0,
      simulated,
      engine: simulated ? 'sim' : pool.engine,
      sku: pool.sku,
      at: now,
      window: `${usage.from}…${usage.to}`,
    });
    if (m) at(byPool, pool.name).push(m);
  }
}
