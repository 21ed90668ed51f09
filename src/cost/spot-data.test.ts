// The Resource Graph and placement-score client against the local cloud's endpoints (sample data).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../testkit/cloud.js';
import { evictionQuery, fetchPlacementScores, fetchSpotFacts, queryResourceGraph, spotKey } from './spot-data.js';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ standardDataPlanes: false });
});
afterAll(async () => cloud?.stop());

describe('spot data from Resource Graph and Spot Placement Score', () => {
  it('follows $skipToken to the last page', async () => {
    const skus = ['Standard_NC4as_T4_v3', 'Standard_NC24ads_A100_v4', 'Standard_NC96ads_A100_v4'];
    const regions = ['eastus', 'southcentralus', 'westus3', 'westeurope'];
    const q = evictionQuery(skus, regions);
    const paged = await queryResourceGraph(cloud.arm, cloud.target.subscriptionId, q, undefined, 20, 5);
    const whole = await queryResourceGraph(cloud.arm, cloud.target.subscriptionId, q);
    // 3 SKUs × 4 regions = 12 rows: pages of 5, 5 and 2.
    expect(paged.rows).toHaveLength(12);
    expect(paged.rows).toEqual(whole.rows);
    expect(paged.sample).toBe(true);
  });

  it('keys bands and latest spot prices by region and SKU, whatever the SKU case', async () => {
    const facts = await fetchSpotFacts(
      cloud.target,
      cloud.arm,
      ['STANDARD_NC40ADS_H100_V5', 'Standard_ND96asr_v4'],
      ['westeurope'],
      Date.now,
    );
    expect(facts.bands.get(spotKey('westeurope', 'Standard_NC40ads_H100_v5'))).toMatchObject({ value: '20+', source: 'sample' });
    // 1.75 $/h × 1.12 (the sample's westeurope factor) = 1.96
    expect(facts.latestSpotUsd.get(spotKey('westeurope', 'Standard_NC40ads_H100_v5'))?.value).toBe(1.96);
    // A SKU outside the data has no row: absent, not an error.
    expect(facts.bands.has(spotKey('westeurope', 'Standard_ND96asr_v4'))).toBe(false);
  });

  it('asks for placement scores with the documented body', async () => {
    const scores = await fetchPlacementScores(cloud.target, cloud.arm, {
      location: 'eastus',
      regions: ['eastus'],
      skus: ['Standard_NC24ads_A100_v4'],
      desiredCount: 2,
      zonal: false,
    });
    expect(scores).toEqual([{ sku: 'Standard_NC24ads_A100_v4', region: 'eastus', score: 'High', isQuotaAvailable: true }]);
  });
});
