// `gpuarb usage --margin`: per customer and model, revenue at the configured prices (cache hits
// included: they are sold like any answer), the GPU cost attributed to them, and the margin.
// A pool's cost over the window is its hourly cost (`gpuarb cost`, the configured priority mix at
// today's prices) times the window's hours; it is shared among the pool's customers by the output
// tokens the GPUs actually produced for them, i.e. without the cache hits (docs/cost.md).
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
  /** Per model: the pools' hourly cost and where it came from. */
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

export async function usageMarginReport(
  ctx: Context,
  opts: { local?: boolean; customer?: string; sinceSeconds: number },
): Promise<UsageMarginReport> {
  const [{ usageReport }, { costReport }] = await Promise.all([import('./usage.js'), import('../cost/collect.js')]);
  // Every customer's usage: a pool's cost is shared among all who used it, whoever is shown.
  const [usage, cost] = await Promise.all([usageReport(ctx, { ...opts, customer: undefined }), costReport(ctx, { local: opts.local })]);
  const notes = [...cost.notes];
  if (cost.currency !== 'USD') notes.push(`revenue is in USD (configured prices), cost in ${cost.currency}: the margin mixes currencies`);
  const poolCosts: UsageMarginReport['poolCosts'] = {};
  for (const p of cost.pools) {
    poolCosts[p.model] ??= { costPerHour: 0, pools: [] };
    const entry = poolCosts[p.model];
    entry.pools.push(p.pool);
    entry.costPerHour = entry.costPerHour === null || p.figures.costPerHour === null ? null : entry.costPerHour + p.figures.costPerHour;
  }
  const start = Date.parse(`${usage.from}T00:00:00Z`);
  const hours = Math.max(0, (ctx.clock.now() - start) / 3_600_000);
  notes.push(`pool cost = today's hourly cost of the configured priority mix × ${hours.toFixed(1)} h (the window so far)`);
  return { ...attributeMargin(usage, poolCosts, { hours, currency: cost.currency, customer: opts.customer }), notes };
}
