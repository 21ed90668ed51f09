import { describe, expect, it } from 'vitest';
import { attributeMargin, gpuCompletionTokens } from './usage-margin.js';
import { buildUsageReport } from './usage-report.js';

const usage = buildUsageReport(
  [
    {
      customer: 'acme',
      model: 'llama3-70b',
      day: '2026-12-01',
      requests: 100,
      promptTokens: 500_000,
      completionTokens: 1_000_000,
      cacheHits: 20,
      errors: 0,
    },
    {
      customer: 'beta',
      model: 'llama3-70b',
      day: '2026-12-01',
      requests: 50,
      promptTokens: 100_000,
      completionTokens: 600_000,
      cacheHits: 0,
      errors: 0,
    },
  ],
  { 'llama3-70b': { inputPerMillion: 0.9, outputPerMillion: 2.7 } },
  { from: '2026-12-01', to: '2026-12-01' },
);
const poolCosts = { 'llama3-70b': { costPerHour: 19, pools: ['llama70b'] } };

describe('usage --margin', () => {
  it('shares the pool cost by GPU-produced output tokens; cache hits earn revenue at no GPU cost', () => {
    // pool cost over the window = 19.00/h × 10 h = 190.00
    // GPU output tokens: acme 1,000,000 × (1 − 20/100) = 800,000; beta 600,000 × (1 − 0) = 600,000; total 1,400,000
    // cost: acme 190 × 800,000 / 1,400,000 = 108.5714; beta 190 × 600,000 / 1,400,000 = 81.4286
    // revenue: acme 0.5 × 0.9 + 1.0 × 2.7 = 3.15; beta 0.1 × 0.9 + 0.6 × 2.7 = 1.71
    // margin: acme 3.15 − 108.5714 = −105.4214 (−105.4214 / 3.15 = −3346.71%); beta 1.71 − 81.4286 = −79.7186
    const r = attributeMargin(usage, poolCosts, { hours: 10, currency: 'USD' });
    const [acme, beta] = r.lines;
    expect(acme.gpuCompletionTokens).toBe(800_000);
    expect(acme.revenue).toBeCloseTo(3.15, 6);
    expect(acme.cost).toBeCloseTo(108.5714, 4);
    expect(acme.margin).toBeCloseTo(-105.4214, 4);
    expect(acme.marginPercent).toBeCloseTo(-3346.71, 2);
    expect(beta.cost).toBeCloseTo(81.4286, 4);
    expect(beta.margin).toBeCloseTo(-79.7186, 4);
    expect(r.totals.cost).toBeCloseTo(190, 6);
  });

  it('one customer shown still pays only its share', () => {
    const r = attributeMargin(usage, poolCosts, { hours: 10, currency: 'USD', customer: 'acme' });
    expect(r.lines.map((l) => l.customer)).toEqual(['acme']);
    expect(r.lines[0].cost).toBeCloseTo(108.5714, 4);
  });

  it('an unknown pool cost leaves cost and margin unknown, revenue still counted', () => {
    const r = attributeMargin(usage, { 'llama3-70b': { costPerHour: null, pools: ['llama70b'] } }, { hours: 10, currency: 'USD' });
    expect(r.lines[0].cost).toBeNull();
    expect(r.totals.margin).toBeNull();
    expect(r.totals.revenue).toBeCloseTo(4.86, 6);
    expect(gpuCompletionTokens({ requests: 0, cacheHits: 0, completionTokens: 7 })).toBe(7);
  });
});
