import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../testkit/cloud.js';
import { httpsClient } from '../../testkit/https-client.js';
import { SAMPLE_SKUS } from './retail-prices-sample.js';
import { SPOT_SAMPLE_NOTICE } from './resource-graph-sample.js';

let cloud: LocalCloud;
let http: ReturnType<typeof httpsClient>;
let token: string;

beforeAll(async () => {
  cloud = await startLocalCloud({ standardDataPlanes: false });
  http = httpsClient(cloud.emulator.caCertPem);
  token = (await cloud.emulator.credential.getToken('https://management.azure.com/.default'))?.token ?? '';
});
afterAll(async () => {
  http?.close();
  await cloud?.stop();
});

/** Resource Graph's answer (the fields these tests read); rows are a query's projections. */
interface GraphAnswer {
  count: number;
  totalRecords: number;
  $skipToken?: string;
  sampleData?: string;
  data: Record<string, unknown>[];
}

const graph = async (query: string, options: Record<string, unknown> = {}) =>
  (await cloud.arm.post('/providers/Microsoft.ResourceGraph', 'resources', '2022-10-01', {
    subscriptions: [cloud.emulator.subscriptionId],
    query,
    options,
  })) as GraphAnswer;

/** A spot placement score answer. */
interface PlacementAnswer {
  sampleData?: string;
  placementScores: { sku: string; region: string; score: string; availabilityZone?: string; isQuotaAvailable: boolean }[];
}

const raw = (path: string, body: unknown, auth = true) =>
  http.send(`${cloud.emulator.endpoint}${path}`, { method: 'POST', body, headers: auth ? { authorization: `Bearer ${token}` } : {} });

describe('Resource Graph SpotResources (sample)', () => {
  it('answers the eviction-rate query of Microsoft docs, filtered case-insensitively, labelled as sample', async () => {
    const res = await graph(
      "SpotResources | where type =~ 'microsoft.compute/skuspotevictionrate/location' | where sku.name in~ ('Standard_NC24ads_A100_v4', 'STANDARD_NC4AS_T4_V3') | where location in~ ('eastus', 'westeurope') | project skuName = tostring(sku.name), location, spotEvictionRate = tostring(properties.evictionRate) | order by skuName asc, location asc",
    );
    expect(res.sampleData).toBe(SPOT_SAMPLE_NOTICE);
    expect(res.totalRecords).toBe(4);
    expect(res.data).toEqual([
      { skuName: 'standard_nc24ads_a100_v4', location: 'eastus', spotEvictionRate: '5-10' },
      { skuName: 'standard_nc24ads_a100_v4', location: 'westeurope', spotEvictionRate: '10-15' },
      { skuName: 'standard_nc4as_t4_v3', location: 'eastus', spotEvictionRate: '0-5' },
      { skuName: 'standard_nc4as_t4_v3', location: 'westeurope', spotEvictionRate: '5-10' },
    ]);
  });

  it('serves spot price history newest first, agreeing with the sample Retail Prices spot meter', async () => {
    const res = await graph(
      "SpotResources | where type =~ 'microsoft.compute/skuspotpricehistory/ostype/location' | where sku.name in~ ('standard_nc96ads_a100_v4') | where properties.osType =~ 'linux' | where location in~ ('eastus') | project skuName = tostring(sku.name), latest = todouble(properties.spotPrices[0].priceUSD), history = properties.spotPrices",
    );
    const sku = SAMPLE_SKUS.find((s) => s.armSkuName === 'Standard_NC96ads_A100_v4');
    expect(res.data).toHaveLength(1);
    expect(res.data[0].latest).toBe(sku?.spotPerHour);
    const times = (res.data[0].history as { timestamp: string }[]).map((p) => Date.parse(p.timestamp));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('pages with $top and $skipToken, every row once', async () => {
    const q =
      "SpotResources | where type =~ 'microsoft.compute/skuspotevictionrate/location' | project skuName = tostring(sku.name), location";
    const all = await graph(q);
    const seen: string[] = [];
    let options: Record<string, unknown> = { $top: 3 };
    for (let i = 0; i < 20; i++) {
      const page = await graph(q, options);
      expect(page.count).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((r) => `${r.skuName}/${r.location}`));
      if (!page.$skipToken) break;
      options = { $top: 3, $skipToken: page.$skipToken };
    }
    expect(all.totalRecords).toBe(SAMPLE_SKUS.length * 4);
    expect(seen).toHaveLength(all.totalRecords);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses what it does not implement by name, with Resource Graph’s error shape', async () => {
    const res = await raw('/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01', {
      query: 'SpotResources | summarize count() by location',
    });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.error.details[0].code).toBe('InvalidQuery');
    expect(body.error.message).toMatch(/operator 'summarize' is not supported/);
    const table = await raw('/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01', { query: 'Resources | take 1' });
    expect(JSON.parse(table.body).error.message).toMatch(/table 'Resources' is not served/);
  });

  it('requires a bearer token and a known api-version', async () => {
    expect(
      (await raw('/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01', { query: 'SpotResources' }, false)).status,
    ).toBe(401);
    const bad = await raw('/providers/Microsoft.ResourceGraph/resources?api-version=2020-01-01', { query: 'SpotResources' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('InvalidApiVersionParameter');
  });
});

describe('Spot Placement Score (sample)', () => {
  const path = () =>
    `/subscriptions/${cloud.emulator.subscriptionId}/providers/Microsoft.Compute/locations/eastus/placementScores/spot/generate?api-version=2025-06-05`;

  it('scores each size × region (× zone), DataNotFoundOrStale outside the sample', async () => {
    const id = `/subscriptions/${cloud.emulator.subscriptionId}/providers/Microsoft.Compute/locations/eastus/placementScores/spot`;
    const res = (await cloud.arm.post(id, 'generate', '2025-06-05', {
      desiredLocations: ['eastus', 'westeurope'],
      desiredSizes: [{ sku: 'Standard_NC4as_T4_v3' }, { sku: 'Standard_ND96asr_v4' }],
      desiredCount: 2,
      availabilityZones: false,
    })) as PlacementAnswer;
    expect(res.sampleData).toBe(SPOT_SAMPLE_NOTICE);
    expect(res.placementScores).toEqual([
      { sku: 'Standard_NC4as_T4_v3', region: 'eastus', score: 'High', isQuotaAvailable: true },
      { sku: 'Standard_ND96asr_v4', region: 'eastus', score: 'DataNotFoundOrStale', isQuotaAvailable: true },
      { sku: 'Standard_NC4as_T4_v3', region: 'westeurope', score: 'High', isQuotaAvailable: true },
      { sku: 'Standard_ND96asr_v4', region: 'westeurope', score: 'DataNotFoundOrStale', isQuotaAvailable: true },
    ]);
    const zonal = (await cloud.arm.post(id, 'generate', '2025-06-05', {
      desiredLocations: ['eastus'],
      desiredSizes: [{ sku: 'Standard_NC40ads_H100_v5' }],
      desiredCount: 60,
      availabilityZones: true,
    })) as PlacementAnswer;
    expect(zonal.placementScores.map((s) => `${s.availabilityZone}:${s.score}`)).toEqual(['1:Low', '2:Low', '3:Low']);
  });

  it('rejects a body Azure would reject, and other api-versions', async () => {
    const tooMany = await raw(path(), {
      desiredLocations: ['eastus'],
      desiredSizes: ['a', 'b', 'c', 'd', 'e', 'f'].map((sku) => ({ sku })),
      desiredCount: 1,
    });
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.body).error.message).toMatch(/1 to 5 VM sizes/);
    const noCount = await raw(path(), { desiredLocations: ['eastus'], desiredSizes: [{ sku: 'Standard_NC4as_T4_v3' }] });
    expect(JSON.parse(noCount.body).error.message).toMatch(/desiredCount/);
    const old = await raw(path().replace('2025-06-05', '2024-06-01-preview'), { desiredLocations: ['eastus'] });
    expect(JSON.parse(old.body).error.code).toBe('InvalidApiVersionParameter');
  });
});
