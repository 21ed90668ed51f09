// The I/O half of `gpuarb cost`: the stack's config, then one market read (Retail Prices and
// Resource Graph) for every SKU and region the answer needs, then the pure evaluation.
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { loadStack } from '../ops/stack.js';
import { evaluatePool, type PoolCostReport } from './evaluate.js';
import { readMarket } from './market.js';
import { readMeasurements } from './measure.js';
import { fittingSkus, type Recommendation, recommend, regionsFor } from './recommend.js';

export interface CostReport {
  currency: string;
  at: string;
  target: 'azure' | 'local';
  pools: PoolCostReport[];
  notes: string[];
}

export interface RecommendReport {
  currency: string;
  at: string;
  target: 'azure' | 'local';
  recommendations: Recommendation[];
  notes: string[];
}

async function selectPools(ctx: Context, o: { pool?: string; model?: string }) {
  const stack = await loadStack(ctx);
  const pools = stack.config.pools.filter((p) => (!o.pool || p.name === o.pool) && (!o.model || p.model === o.model));
  if (!pools.length) {
    const what = o.pool ? `pool "${o.pool}"` : `a pool serving model "${o.model}"`;
    throw new UserError(`There is no ${what} in the config.`, {
      code: 'UsageError',
      hint: `Pools: ${stack.config.pools.map((p) => `${p.name} (${p.model})`).join(', ')}.`,
    });
  }
  return { stack, pools };
}

/** `measure: false` skips the platform's own throughput measurements (usage --margin needs only prices). */
export async function costReport(ctx: Context, o: { pool?: string; measure?: boolean }): Promise<CostReport> {
  const { stack, pools } = await selectPools(ctx, o);
  const currency = stack.config.cost.currency;
  const [market, measured] = await Promise.all([
    readMarket(stack.target, {
      skus: [...new Set(pools.map((p) => p.sku))],
      regions: [stack.config.location],
      currency,
      now: () => ctx.clock.now(),
      signal: ctx.signal,
    }),
    o.measure === false ? { byPool: new Map(), notes: [] } : readMeasurements(ctx, stack, pools),
  ]);
  const reports = pools.map((p) => evaluatePool(stack.config, p, market, {}, measured.byPool.get(p.name) ?? []));
  return {
    currency,
    at: new Date(ctx.clock.now()).toISOString(),
    target: stack.target.kind,
    pools: reports,
    notes: [...market.notes, ...measured.notes, ...reports.flatMap((r) => r.notes)],
  };
}

export async function recommendReport(ctx: Context, o: { pool?: string; model?: string; availability?: number }): Promise<RecommendReport> {
  const { stack, pools } = await selectPools(ctx, o);
  const currency = stack.config.cost.currency;
  const skus = new Set(pools.flatMap((p) => [p.sku, ...fittingSkus(p).fits]));
  const market = await readMarket(stack.target, {
    skus: [...skus],
    regions: [...new Set([stack.config.location, ...regionsFor(stack.config)])],
    currency,
    now: () => ctx.clock.now(),
    signal: ctx.signal,
  });
  const target = o.availability ?? stack.config.cost.availabilityTarget;
  return {
    currency,
    at: new Date(ctx.clock.now()).toISOString(),
    target: stack.target.kind,
    recommendations: pools.map((p) => recommend(stack.config, p, market, target)),
    notes: market.notes,
  };
}
