// The usages API as the local cloud serves it (emulator/providers/compute.ts) read the way the
// platform reads it: the SKU's family line, the regional total and the Spot line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { quotaFamilyOf, quotaLinesFor, readComputeUsages } from './compute-quota.js';

describe('compute quota lines', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud();
  });
  afterAll(async () => cloud?.stop());

  it('maps GPU sizes to their quota family', () => {
    expect(quotaFamilyOf('Standard_NC4as_T4_v3')).toBe('standardNCASv3_T4Family');
    expect(quotaFamilyOf('Standard_NC96ads_A100_v4')).toBe('StandardNCADSA100v4Family');
    expect(quotaFamilyOf('Standard_NC40ads_H100_v5')).toBe('standardNCadsH100v5Family');
    expect(quotaFamilyOf('Standard_Foo')).toBeUndefined();
  });

  it('reads the family and Spot lines the local cloud enforces', async () => {
    cloud.emulator.control.setQuota('westus2', 'StandardNCADSA100v4Family', 48);
    cloud.emulator.control.setQuota('westus2', 'lowPriorityCores', 12);
    const usages = await readComputeUsages(cloud.arm, cloud.emulator.subscriptionId, 'westus2');
    const lines = quotaLinesFor(usages, 'Standard_NC24ads_A100_v4');
    expect(lines.family).toEqual({ name: 'StandardNCADSA100v4Family', limit: 48, used: 0 });
    expect(lines.spot).toEqual({ name: 'lowPriorityCores', limit: 12, used: 0 });
  });
});
