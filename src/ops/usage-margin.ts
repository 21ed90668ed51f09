// `gpuarb usage --margin`: per customer and model, revenue at the configured prices (cache hits
// included: they are sold like any answer), the GPU cost attributed to them, and the margin.
// A pool's cost over the window is the hours its VMs actually ran (pool-hours.ts) at today's
// prices (`gpuarb cost`); it is shared among the pool's customers by the output tokens the GPUs
// actually produced for them, i.e. without the cache hits (docs/cost.md).
import type { Context } from '../core/context.js';
import type { UsageLine, UsageReport } from './usage-report.js';

export interface MarginLine extends UsageLine {
  /** Output tokens produced on GPUs: completion tokens less the cache hits' estimated share. */
  gpuCompletionTokens: number;
  cost: number | null;
  margin: number | null;
  marginPercent: number | null;
}

export interface UsageMarginReport {
  from: string;
  to: string;
  currency: string;
  windowHours: number;
  /** Per model: the pools' cost per window hour (their VM hours at today's prices, averaged over the window). */
  poolCosts: Record<string, { costPerHour: number | null; pools: string[] }>;
  lines: MarginLine[];
  totals: { revenue: number; cost: number | null; margin: number | null };
  notes: string[];
}

/** Cache hits are counted per request, not per token: their share of tokens is taken as their share of requests. */
export function gpuCompletionTokens(l: Pick<UsageLine, 'requests' | 'cacheHits' | 'completionTokens'>): number {
  if (l.requests <= 0) return l.completionTokens;
  return l.completionTokens * Math.max(0, 1 - l.cacheHits / l.requests);
}

export function attributeMargin(
  usage: UsageReport,
  poolCosts: UsageMarginReport['poolCosts'],
  window: { hours: number; currency: string; customer?: string },
): Omit<UsageMarginReport, 'notes'> {
  const gpuByModel = new Map<string, number>();
  for (const l of usage.lines) gpuByModel.set(l.model, (gpuByModel.get(l.model) ?? 0) + gpuCompletionTokens(l));
  const lines: MarginLine[] = usage.lines
    .filter((l) => !window.customer || l.customer === window.customer)
    .map((l) => {
      const gpu = gpuCompletionTokens(l);
      const hourly = poolCosts[l.model]?.costPerHour ?? null;
      const total = gpuByModel.get(l.model) ?? 0;
      const cost = hourly === null ? null : total > 0 ? (hourly * window.hours * gpu) / total : 0;
      const margin = cost === null || l.revenue === null ? null : l.revenue - cost;
      const marginPercent = margin === null || !l.revenue ? null : (margin / l.revenue) * 100;
      return { ...l, gpuCompletionTokens: gpu, cost, margin, marginPercent };
    });
  const sum = (f: (l: MarginLine) => number | null) =>
    lines.reduce<number | null>((s, l) => (s === null || f(l) === null ? null : s + (f(l) as number)), 0);
  return {
    from: usage.from,
    to: usage.to,
    currency: window.currency,
    windowHours: window.hours,
    poolCosts,
    lines,
    totals: { revenue: sum((l) => l.revenue ?? 0) ?? 0, cost: sum((l) => l.cost), margin: sum((l) => l.margin) },
  };
}

export async function usageMarginReport(ctx: Context, opts: { customer?: string; sinceSeconds: number }): Promise<UsageMarginReport> {
  const [{ usageReport }, { costReport }] = await Promise.all([import('./usage.js'), import('../cost/collect.js')]);
  // Every customer's usage: a pool's cost is shared among all who used it, whoever is shown.
  const [usage, cost] = await Promise.all([usageReport(ctx, { ...opts, customer: undefined }), costReport(ctx, { measure: false })]);
  // Throughput does not enter a margin built from hours, so its notes do not belong here.
  const notes = cost.notes.filter((n) => !/throughput/.test(n));
  if (cost.currency !== 'USD') notes.push(`revenue is in USD (configured prices), cost in ${cost.currency}: the margin mixes currencies`);
  const start = Date.parse(`${usage.from}T00:00:00Z`);
  const hours = Math.max(0, (ctx.clock.now() - start) / 3_600_000);
  const { poolHours } = await import('./pool-hours.js');
  const actual = await poolHours(ctx, { fromMs: start }).catch((e) => {
    notes.push(
      `VM hours unreadable (${String((e as Error)?.message ?? e).split('\n')[0]}): the configured mix is taken to have run all window`,
    );
    return undefined;
  });
  const poolCosts: UsageMarginReport['poolCosts'] = {};
  for (const p of cost.pools) {
    poolCosts[p.model] ??= { costPerHour: 0, pools: [] };
    const entry = poolCosts[p.model];
    entry.pools.push(p.pool);
    const h = actual?.get(p.pool);
    const od = p.inputs.onDemandPerHour.value;
    const spot = p.inputs.spotPerHour.value;
    // Cost over the window, expressed per window hour so attributeMargin can scale it back.
    const windowCost = h
      ? (h.regularHours && od === null) || (h.spotHours && spot === null)
        ? null
        : h.regularHours * (od ?? 0) + h.spotHours * (spot ?? 0)
      : p.figures.costPerHour === null
        ? null
        : p.figures.costPerHour * hours;
    entry.costPerHour = entry.costPerHour === null || windowCost === null || hours === 0 ? null : entry.costPerHour + windowCost / hours;
  }
  if (actual)
    notes.push(
      `pool cost = hours of the VMs in the scale sets now × today's prices, since ${usage.from} (VMs already gone are not counted)`,
    );
  return { ...attributeMargin(usage, poolCosts, { hours, currency: cost.currency, customer: opts.customer }), notes };
}
