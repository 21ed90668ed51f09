import { describe, expect, it } from 'vitest';
import { bandRate, priorityMix, probabilityReady, spotUpProbability } from './availability.js';
import { poolCost } from './pool-cost.js';

describe('poolCost: the formula on hand-worked examples', () => {
  it('a 70B pool: 1 regular + 1 spot, 100 out / 60 in tok/s per replica, half utilised', () => {
    // cost/h = 1 × 15.20 + 1 × 3.80 = 19.00
    // replica-seconds per hour = 2 replicas × 3600 s × 0.5 = 3600
    // output tokens/h = 100 × 3600 = 360,000; input tokens/h = 60 × 3600 = 216,000
    // $/1M output = 19.00 / 360,000 × 1e6 = 52.7778; $/1M input = 19.00 / 216,000 × 1e6 = 87.9630
    // revenue/h = (216,000 × 0.90 + 360,000 × 2.70) / 1e6 = (194,400 + 972,000) / 1e6 = 1.1664
    // margin/h = 1.1664 − 19.00 = −17.8336; margin % = −17.8336 / 1.1664 × 100 = −1528.94
    const f = poolCost({
      onDemandPerHour: 15.2,
      spotPerHour: 3.8,
      regular: 1,
      spot: 1,
      outputTokensPerSecond: 100,
      inputTokensPerSecond: 60,
      utilisation: 0.5,
      sellInputPerMillion: 0.9,
      sellOutputPerMillion: 2.7,
    });
    expect(f.costPerHour).toBeCloseTo(19.0, 10);
    expect(f.outputTokensPerHour).toBe(360_000);
    expect(f.inputTokensPerHour).toBe(216_000);
    expect(f.costPerMillionOutput).toBeCloseTo(52.7778, 4);
    expect(f.costPerMillionInput).toBeCloseTo(87.963, 3);
    expect(f.revenuePerHour).toBeCloseTo(1.1664, 10);
    expect(f.marginPerHour).toBeCloseTo(-17.8336, 10);
    expect(f.marginPercent).toBeCloseTo(-1528.94, 2);
    expect(f.missing).toEqual([]);
  });

  it('a small-model pool: 1 regular + 3 spot T4s, 500 out / 1000 in tok/s, a quarter utilised', () => {
    // cost/h = 1 × 0.55 + 3 × 0.11 = 0.88
    // replica-seconds per hour = 4 × 3600 × 0.25 = 3600
    // output tokens/h = 500 × 3600 = 1,800,000; input tokens/h = 1000 × 3600 = 3,600,000
    // $/1M output = 0.88 / 1.8 = 0.48889; $/1M input = 0.88 / 3.6 = 0.24444
    // revenue/h = 3.6 × 0.15 + 1.8 × 0.60 = 0.54 + 1.08 = 1.62
    // margin/h = 1.62 − 0.88 = 0.74; margin % = 0.74 / 1.62 × 100 = 45.679
    const f = poolCost({
      onDemandPerHour: 0.55,
      spotPerHour: 0.11,
      regular: 1,
      spot: 3,
      outputTokensPerSecond: 500,
      inputTokensPerSecond: 1000,
      utilisation: 0.25,
      sellInputPerMillion: 0.15,
      sellOutputPerMillion: 0.6,
    });
    expect(f.costPerHour).toBeCloseTo(0.88, 10);
    expect(f.costPerMillionOutput).toBeCloseTo(0.48889, 5);
    expect(f.costPerMillionInput).toBeCloseTo(0.24444, 5);
    expect(f.revenuePerHour).toBeCloseTo(1.62, 10);
    expect(f.marginPerHour).toBeCloseTo(0.74, 10);
    expect(f.marginPercent).toBeCloseTo(45.679, 3);
  });

  it('reports a missing spot meter or throughput instead of inventing a figure', () => {
    const f = poolCost({
      onDemandPerHour: 3.8,
      spotPerHour: null,
      regular: 0,
      spot: 2,
      outputTokensPerSecond: null,
      inputTokensPerSecond: null,
      utilisation: 0.5,
      sellInputPerMillion: 1,
      sellOutputPerMillion: 1,
    });
    expect(f.costPerHour).toBeNull();
    expect(f.costPerMillionOutput).toBeNull();
    expect(f.marginPerHour).toBeNull();
    expect(f.missing).toEqual(['no spot price meter', 'no throughput figure']);
  });
});

describe('availability model', () => {
  it('uses the upper bound of a band, and an explicit assumption for 20+', () => {
    expect(bandRate('5-10')?.value).toBe(0.1);
    expect(bandRate('0-5')?.value).toBe(0.05);
    expect(bandRate('20+')).toMatchObject({ value: 0.3, source: 'assumed' });
    expect(bandRate('high')).toBeUndefined();
  });

  it('1 regular + 2 spot, min 2, 10%/h evictions, 30 min repair', () => {
    // p_up = 1 / (1 + 0.10 × 0.5) = 1 / 1.05 = 0.952381
    // min 2 with 1 regular: at least 1 of the 2 spot up = 1 − (1 − 0.952381)² = 1 − 0.0022676 = 0.9977324
    expect(spotUpProbability(0.1, 0.5)).toBeCloseTo(0.952381, 6);
    expect(probabilityReady({ regular: 1, spot: 2, min: 2, ratePerHour: 0.1, repairHours: 0.5 })).toBeCloseTo(0.9977324, 7);
  });

  it('3 spot, min 2, 20%/h evictions, 1 h repair', () => {
    // p_up = 1 / (1 + 0.2 × 1) = 0.833333
    // P(≥ 2 of 3 up) = 3 p² (1 − p) + p³ = 3 × 0.694444 × 0.166667 + 0.578704 = 0.347222 + 0.578704 = 0.925926
    expect(probabilityReady({ regular: 0, spot: 3, min: 2, ratePerHour: 0.2, repairHours: 1 })).toBeCloseTo(0.925926, 6);
    expect(probabilityReady({ regular: 2, spot: 0, min: 2, ratePerHour: 0.2, repairHours: 1 })).toBe(1);
    expect(probabilityReady({ regular: 0, spot: 1, min: 2, ratePerHour: 0.2, repairHours: 1 })).toBe(0);
  });

  it('splits replicas as Spot Priority Mix does: the base, then the regular share above it (rounded up)', () => {
    // 5 replicas, base 1, 50% above: 1 + ceil(4 × 0.5) = 3 regular, 2 spot
    expect(priorityMix(5, { enabled: true, regularBase: 1, regularPercentAboveBase: 50 })).toEqual({ regular: 3, spot: 2 });
    // 4 replicas: 1 + ceil(3 × 0.5) = 1 + 2 = 3 regular, 1 spot
    expect(priorityMix(4, { enabled: true, regularBase: 1, regularPercentAboveBase: 50 })).toEqual({ regular: 3, spot: 1 });
    expect(priorityMix(2, { enabled: false, regularBase: 0, regularPercentAboveBase: 0 })).toEqual({ regular: 2, spot: 0 });
  });
});
