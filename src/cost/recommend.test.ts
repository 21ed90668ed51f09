import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/load.js';
import type { Market } from './market.js';
import { recommend } from './recommend.js';
import { sourced } from './sourced.js';
import { spotKey } from './spot-data.js';

const config = parseConfigText(
  `
stack: rectest
location: eastus
cost: { utilisation: 0.5, repairTime: 30m, regions: [eastus, westeurope] }
pools:
  - name: llama
    model: llama3-70b
    engine: vllm
    hfModel: meta-llama/Meta-Llama-3-70B-Instruct
    tensorParallel: 4
    sku: Standard_NC96ads_A100_v4
    capacity: { min: 1, max: 2, initial: 2 }
    spot: { regularBase: 2 }
`,
  '/tmp/gpuarb.yaml',
  {},
).config;
const pool = config.pools[0];
const SKU = 'Standard_NC96ads_A100_v4';

function market(p: Record<string, { regular: number; spot: number; band: string }>): Market {
  const m: Market = {
    currency: 'USD',
    prices: new Map(),
    spot: { bands: new Map(), latestSpotUsd: new Map() },
    usdRate: sourced(1, 'config', 'USD'),
    notes: [],
  };
  for (const [region, x] of Object.entries(p)) {
    m.prices.set(spotKey(region, SKU), sourced({ regular: x.regular, spot: x.spot }, 'sample', 'test'));
    m.spot.bands.set(spotKey(region, SKU), sourced(x.band, 'sample', 'test'));
  }
  return m;
}

describe('cost --recommend', () => {
  it('picks the cheaper region, and follows a price change', () => {
    const a = recommend(
      config,
      pool,
      market({ eastus: { regular: 15, spot: 4, band: '0-5' }, westeurope: { regular: 16, spot: 3, band: '0-5' } }),
      99.9,
    );
    expect(a.winner).toMatchObject({ region: 'westeurope', regularBase: 0 });
    const b = recommend(
      config,
      pool,
      market({ eastus: { regular: 15, spot: 4, band: '0-5' }, westeurope: { regular: 16, spot: 5, band: '0-5' } }),
      99.9,
    );
    expect(b.winner).toMatchObject({ region: 'eastus', regularBase: 0 });
    expect(b.configChange).toEqual(['pools:', '  - name: llama', '    spot: { regularBase: 0, regularPercentAboveBase: 0 }']);
    expect(a.configChange[0]).toMatch(/^location: westeurope/);
  });

  it('buys spare or regular replicas when the eviction band rises past what the target allows', () => {
    // The pool serves with 2 replicas, min 1, repair 0.5 h; spot $4/h, regular $15/h.
    // Band 0-5 (5%/h): p_up = 1 / (1 + 0.05 × 0.5) = 0.97561; 2 spot: P(≥ 1 up) = 1 − 0.02439² = 0.999405
    // ≥ 0.999, at $8/h: all spot, no spare, wins.
    // Band 20+ (30%/h assumed): p_up = 1 / 1.15 = 0.869565, q = 0.130435.
    //   2 spot ($8/h):  P = 1 − q² = 0.982987  (fails)
    //   3 spot ($12/h): P = 1 − q³ = 0.997781  (fails)
    //   4 spot ($16/h): P = 1 − q⁴ = 0.999711  (meets)
    //   1 regular + 1 spot ($19/h): P = 1        (meets, dearer)
    // so the winner is 4 spot: two spare replicas for evictions.
    const low = recommend(config, pool, market({ eastus: { regular: 15, spot: 4, band: '0-5' } }), 99.9);
    expect(low.winner).toMatchObject({ regularBase: 0, replicas: 2 });
    expect(low.winner?.report.availability).toBeCloseTo(0.999405, 6);
    const high = recommend(config, pool, market({ eastus: { regular: 15, spot: 4, band: '20+' } }), 99.9);
    const spotOnly = (n: number) => high.ranked.find((c) => c.regularBase === 0 && c.replicas === n)?.report;
    expect(spotOnly(2)?.availability).toBeCloseTo(0.982987, 6);
    expect(spotOnly(3)?.availability).toBeCloseTo(0.997781, 6);
    expect(spotOnly(4)?.availability).toBeCloseTo(0.999711, 6);
    expect(high.winner).toMatchObject({ region: 'eastus', regularBase: 0, replicas: 4 });
    expect(high.winner?.report.figures.costPerHour).toBeCloseTo(16, 10);
    expect(high.configChange).toContain('    capacity: { min: 1, max: 4, initial: 4 }');
  });

  it('refuses every SKU whose GPU memory cannot hold the model', () => {
    // llama3-70b bf16: 70.6 B × 2 bytes × 1.2 = 169.44 GB; only 4 × 80 GB holds it.
    const r = recommend(config, pool, market({ eastus: { regular: 15, spot: 4, band: '0-5' } }), 99.9);
    expect(r.requiredMemoryGb).toBeCloseTo(169.44, 2);
    expect(r.refused.map((x) => x.sku).sort()).toEqual(
      ['Standard_NC24ads_A100_v4', 'Standard_NC40ads_H100_v5', 'Standard_NC48ads_A100_v4', 'Standard_NC4as_T4_v3'].sort(),
    );
    expect(r.ranked.every((c) => c.sku === SKU)).toBe(true);
  });
});
