import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { checkQuota, planScale, regularCount, vcpusOf, type ScaleSetFacts } from './scale-rules.js';

const facts = (over: Partial<ScaleSetFacts> = {}): ScaleSetFacts => ({
  pool: 'phi',
  sku: 'Standard_NC4as_T4_v3',
  capacity: 2,
  priority: 'Spot',
  orchestrationMode: 'Flexible',
  mix: { regularBase: 0, regularPercent: 0 },
  min: 1,
  max: 4,
  autoscale: { exists: true, enabled: false },
  quota: { spot: { limit: 100, used: 8 }, regular: { limit: 100, used: 0 } },
  ...over,
});
const refusal = (fn: () => unknown): UserError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a refusal');
};

describe('vcpusOf and regularCount', () => {
  it.each([
    ['Standard_NC4as_T4_v3', 4],
    ['Standard_NC24ads_A100_v4', 24],
    ['Standard_NC96ads_A100_v4', 96],
    ['Standard_NC40ads_H100_v5', 40],
    ['Standard_D2s_v5', 2],
    ['weird', undefined],
  ])('%s has %s vCPUs', (sku, n) => {
    expect(vcpusOf(sku)).toBe(n);
  });
  it('base first, then the percentage of the rest, rounded up', () => {
    expect(regularCount(2, 3, 0)).toBe(2);
    expect(regularCount(5, 1, 50)).toBe(3);
    expect(regularCount(4, 0, 0)).toBe(0);
    expect(regularCount(4, 0, 100)).toBe(4);
    expect(regularCount(10, 2, 25)).toBe(4);
  });
});

describe('planScale --to', () => {
  it('sets the capacity inside the bounds', () => {
    expect(planScale({ kind: 'capacity', to: 3 }, facts())).toEqual({ capacity: 3, warnings: [] });
  });
  it('refuses outside min/max and says how to widen them', () => {
    const e = refusal(() => planScale({ kind: 'capacity', to: 6 }, facts()));
    expect(e.code).toBe('OutsideBounds');
    expect(e.message).toBe('Pool phi cannot be scaled to 6: its bounds are min 1, max 4.');
    expect(e.hint).toBe('Widen the bounds first: gpuarb scale phi --min 1 --max 6');
    expect(refusal(() => planScale({ kind: 'capacity', to: 0 }, facts())).hint).toContain('--min 0 --max 4');
  });
  it('refuses over the Spot quota with the numbers', () => {
    const e = refusal(() => planScale({ kind: 'capacity', to: 4 }, facts({ quota: { spot: { limit: 12, used: 8 }, regular: null } })));
    expect(e.code).toBe('QuotaExceeded');
    expect(e.message).toBe(
      'Scaling phi needs 8 more Spot vCPUs of Standard_NC4as_T4_v3, but the lowPriorityCores quota has 4 left (8 of 12 used).',
    );
    expect(e.hint).toMatch(/Total Regional Spot vCPUs/);
  });
  it("checks Regular VMs against their VM family's quota and the regional total, naming the family", () => {
    const f = facts({
      priority: 'Regular',
      mix: null,
      location: 'eastus',
      quota: {
        spot: null,
        regular: { name: 'standardNCASv3_T4Family', limit: 8, used: 8 },
        regional: { name: 'cores', limit: 100, used: 0 },
      },
    });
    const e = refusal(() => checkQuota(f, 3));
    expect(e.message).toBe(
      'Scaling phi needs 4 more Regular vCPUs of Standard_NC4as_T4_v3, but the standardNCASv3_T4Family quota in eastus has 0 left (8 of 8 used).',
    );
    expect(e.hint).toMatch(/Request more standardNCASv3_T4Family vCPUs in eastus/);
    const total = facts({
      ...f,
      quota: {
        spot: null,
        regular: { name: 'standardNCASv3_T4Family', limit: 100, used: 0 },
        regional: { name: 'cores', limit: 10, used: 8 },
      },
    });
    expect(refusal(() => checkQuota(total, 3)).message).toMatch(/the cores quota in eastus has 2 left/);
  });
  it('counts the Regular part of a mix against the Regular quota', () => {
    const f = facts({
      mix: { regularBase: 2, regularPercent: 0 },
      capacity: 1,
      quota: { spot: { limit: 100, used: 0 }, regular: { limit: 4, used: 4 } },
    });
    expect(refusal(() => checkQuota(f, 2)).message).toMatch(/Regular vCPUs/);
    expect(() => checkQuota({ ...f, capacity: 2 }, 3)).not.toThrow(); // above the base: Spot
  });
  it('scaling down never checks quota; an unknown quota is not a refusal', () => {
    expect(() => checkQuota(facts({ quota: { spot: { limit: 0, used: 100 }, regular: null } }), 1)).not.toThrow();
    expect(() => checkQuota(facts({ quota: { spot: null, regular: null } }), 4)).not.toThrow();
  });
  it('warns that autoscale will move a pinned capacity again', () => {
    expect(planScale({ kind: 'capacity', to: 3 }, facts({ autoscale: { exists: true, enabled: true } })).warnings[0]).toMatch(
      /--autoscale off/,
    );
  });
  it('rejects negative or fractional values', () => {
    expect(refusal(() => planScale({ kind: 'capacity', to: -1 }, facts())).code).toBe('UsageError');
    expect(refusal(() => planScale({ kind: 'capacity', to: 1.5 }, facts())).code).toBe('UsageError');
  });
});

describe('planScale --min/--max', () => {
  it('sets the bounds and clamps the capacity into them', () => {
    expect(planScale({ kind: 'bounds', min: 3, max: 6 }, facts())).toEqual({
      autoscale: { min: 3, max: 6 },
      capacity: 3,
      warnings: ['capacity 2 is outside the new bounds: set to 3'],
    });
    expect(planScale({ kind: 'bounds', min: 0, max: 8 }, facts())).toEqual({
      autoscale: { min: 0, max: 8 },
      capacity: undefined,
      warnings: [],
    });
  });
  it('refuses min > max, max 0, and a pool without an autoscale setting', () => {
    expect(refusal(() => planScale({ kind: 'bounds', min: 5, max: 2 }, facts())).code).toBe('UsageError');
    expect(refusal(() => planScale({ kind: 'bounds', min: 0, max: 0 }, facts())).code).toBe('UsageError');
    expect(refusal(() => planScale({ kind: 'bounds', min: 1, max: 2 }, facts({ autoscale: { exists: false, enabled: false } }))).code).toBe(
      'AutoscaleMissing',
    );
  });
});

describe('planScale priority mix', () => {
  it('keeps the part not given', () => {
    expect(planScale({ kind: 'mix', regularPercent: 20 }, facts({ mix: { regularBase: 1, regularPercent: 0 } })).mix).toEqual({
      regularBase: 1,
      regularPercent: 20,
    });
  });
  it('refuses a mix on a Regular scale set: Spot cannot be turned on in place', () => {
    const e = refusal(() => planScale({ kind: 'mix', regularBase: 1 }, facts({ priority: 'Regular' })));
    expect(e.code).toBe('SpotChangeNotAllowed');
    expect(e.hint).toMatch(/recreate/);
  });
  it('refuses Uniform orchestration and out-of-range values', () => {
    expect(refusal(() => planScale({ kind: 'mix', regularBase: 1 }, facts({ orchestrationMode: 'Uniform' }))).code).toBe(
      'SpotChangeNotAllowed',
    );
    expect(refusal(() => planScale({ kind: 'mix', regularPercent: 101 }, facts())).code).toBe('UsageError');
    expect(refusal(() => planScale({ kind: 'mix', regularBase: -1 }, facts())).code).toBe('UsageError');
  });
  it('refuses a bigger on-demand floor than the Regular quota allows', () => {
    const e = refusal(() => planScale({ kind: 'mix', regularBase: 2 }, facts({ quota: { spot: null, regular: { limit: 4, used: 0 } } })));
    expect(e.message).toMatch(/needs 8 more Regular vCPUs/);
  });
});

describe('planScale --autoscale', () => {
  it('turns it on or off, if there is one', () => {
    expect(planScale({ kind: 'autoscale', enabled: false }, facts())).toEqual({ autoscale: { enabled: false }, warnings: [] });
    expect(
      refusal(() => planScale({ kind: 'autoscale', enabled: true }, facts({ autoscale: { exists: false, enabled: false } }))).code,
    ).toBe('AutoscaleMissing');
  });
});
