import { describe, expect, it } from 'vitest';
import type { UsageCounter } from '../../contracts/documents.js';
import { buildUsageReport, firstDay, revenueOf } from './usage-report.js';

const doc = (
  customer: string,
  model: string,
  day: string,
  requests: number,
  promptTokens: number,
  completionTokens: number,
): UsageCounter => ({ customer, model, day, requests, promptTokens, completionTokens, cacheHits: 1, errors: 0 });
const prices = { 'phi3-mini': { inputPerMillion: 0.2, outputPerMillion: 0.6 }, mixtral: { inputPerMillion: 1, outputPerMillion: 2 } };

describe('usage report', () => {
  it('sums days per customer and model and prices them', () => {
    const r = buildUsageReport(
      [
        doc('acme', 'phi3-mini', '2025-03-01', 10, 1_000_000, 500_000),
        doc('acme', 'phi3-mini', '2025-03-02', 5, 1_000_000, 0),
        doc('beta', 'mixtral', '2025-03-02', 1, 1000, 1000),
      ],
      prices,
      { from: '2025-03-01', to: '2025-03-02' },
    );
    expect(r.lines).toEqual([
      {
        customer: 'acme',
        model: 'phi3-mini',
        requests: 15,
        promptTokens: 2_000_000,
        completionTokens: 500_000,
        cacheHits: 2,
        errors: 0,
        revenue: 0.7,
      },
      {
        customer: 'beta',
        model: 'mixtral',
        requests: 1,
        promptTokens: 1000,
        completionTokens: 1000,
        cacheHits: 1,
        errors: 0,
        revenue: 0.003,
      },
    ]);
    expect(r.totals).toEqual({ requests: 16, promptTokens: 2_001_000, completionTokens: 501_000, revenue: 0.703, unpricedModels: [] });
  });
  it('filters by day window and customer', () => {
    const docs = [
      doc('acme', 'phi3-mini', '2025-02-28', 1, 1, 1),
      doc('acme', 'phi3-mini', '2025-03-01', 2, 1, 1),
      doc('beta', 'phi3-mini', '2025-03-01', 4, 1, 1),
    ];
    expect(buildUsageReport(docs, prices, { from: '2025-03-01', to: '2025-03-01' }).totals.requests).toBe(6);
    expect(buildUsageReport(docs, prices, { from: '2025-01-01', to: '2025-03-01', customer: 'acme' }).totals.requests).toBe(3);
  });
  it('a model no pool serves any more has unknown revenue, and is named', () => {
    const r = buildUsageReport([doc('acme', 'gone', '2025-03-01', 1, 10, 10)], prices, { from: '2025-03-01', to: '2025-03-01' });
    expect(r.lines[0].revenue).toBeNull();
    expect(r.totals.unpricedModels).toEqual(['gone']);
  });
  it('revenue and day arithmetic', () => {
    expect(revenueOf(1_000_000, 1_000_000, { inputPerMillion: 0.2, outputPerMillion: 0.6 })).toBeCloseTo(0.8);
    expect(firstDay(Date.parse('2025-03-31T10:00:00Z'), 30 * 86400)).toBe('2025-03-01');
  });
});
