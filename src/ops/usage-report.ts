// The pure half of `gpuarb usage`: the gateway's daily counter documents (contracts/documents.ts,
// one per customer, model and UTC day) summed per customer and model, priced at the configured
// per-million-token prices of the pool that serves the model.
import type { UsageCounter } from '../../contracts/documents.js';

export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface UsageLine {
  customer: string;
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cacheHits: number;
  errors: number;
  /** USD at the configured prices; null when no pool serves this model any more. */
  revenue: number | null;
}

export interface UsageReport {
  from: string;
  to: string;
  lines: UsageLine[];
  totals: { requests: number; promptTokens: number; completionTokens: number; revenue: number; unpricedModels: string[] };
}

/** First UTC day included for a window of `sinceSeconds` ending at `now`. Days are whole. */
export function firstDay(now: number, sinceSeconds: number): string {
  return new Date(now - sinceSeconds * 1000).toISOString().slice(0, 10);
}

export function revenueOf(promptTokens: number, completionTokens: number, price: ModelPrice): number {
  return (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000;
}

const cents = (n: number) => Math.round(n * 1e6) / 1e6;

export function buildUsageReport(
  docs: UsageCounter[],
  prices: Record<string, ModelPrice>,
  window: { from: string; to: string; customer?: string },
): UsageReport {
  const byKey = new Map<string, UsageLine>();
  for (const d of docs) {
    if (d.day < window.from || d.day > window.to) continue;
    if (window.customer && d.customer !== window.customer) continue;
    const key = JSON.stringify([d.customer, d.model]);
    const line = byKey.get(key) ?? {
      customer: d.customer,
      model: d.model,
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      cacheHits: 0,
      errors: 0,
      revenue: 0,
    };
    line.requests += d.requests ?? 0;
    line.promptTokens += d.promptTokens ?? 0;
    line.completionTokens += d.completionTokens ?? 0;
    line.cacheHits += d.cacheHits ?? 0;
    line.errors += d.errors ?? 0;
    byKey.set(key, line);
  }
  const unpriced = new Set<string>();
  const lines = [...byKey.values()]
    .map((l) => {
      const p = prices[l.model];
      if (!p) unpriced.add(l.model);
      return { ...l, revenue: p ? cents(revenueOf(l.promptTokens, l.completionTokens, p)) : null };
    })
    .sort((a, b) => a.customer.localeCompare(b.customer) || a.model.localeCompare(b.model));
  const sum = (f: (l: UsageLine) => number) => lines.reduce((s, l) => s + f(l), 0);
  return {
    from: window.from,
    to: window.to,
    lines,
    totals: {
      requests: sum((l) => l.requests),
      promptTokens: sum((l) => l.promptTokens),
      completionTokens: sum((l) => l.completionTokens),
      revenue: cents(sum((l) => l.revenue ?? 0)),
      unpricedModels: [...unpriced].sort(),
    },
  };
}
