// Spot eviction-rate bands and spot price history from Azure Resource Graph (`SpotResources`),
// and Spot Placement Scores, over the ARM client (the SDK pipeline: bearer token, retries, the
// local cloud's CA). The local cloud serves labelled sample data on the same paths.
import type { ArmClient } from '../azure/arm-client.js';
import type { AzureTarget } from '../azure/target.js';
import { type Sourced, sourced } from './sourced.js';

export const RESOURCE_GRAPH_API_VERSION = '2022-10-01';
export const PLACEMENT_SCORES_API_VERSION = '2025-06-05';

export interface SpotFacts {
  /** `${region}/${sku lowercase}` → eviction band, e.g. "5-10". */
  bands: Map<string, Sourced<string>>;
  /** `${region}/${sku lowercase}` → latest spot price (USD) from the price history. */
  latestSpotUsd: Map<string, Sourced<number>>;
}

export const spotKey = (region: string, sku: string) => `${region.toLowerCase()}/${sku.toLowerCase()}`;

const quote = (xs: string[]) => xs.map((x) => `'${x.replace(/'/g, '')}'`).join(', ');

export function evictionQuery(skus: string[], regions: string[]): string {
  return [
    'SpotResources',
    "where type =~ 'microsoft.compute/skuspotevictionrate/location'",
    `where sku.name in~ (${quote(skus)})`,
    `where location in~ (${quote(regions)})`,
    'project skuName = tostring(sku.name), location, spotEvictionRate = tostring(properties.evictionRate)',
  ].join(' | ');
}

export function priceHistoryQuery(skus: string[], regions: string[]): string {
  return [
    'SpotResources',
    "where type =~ 'microsoft.compute/skuspotpricehistory/ostype/location'",
    `where sku.name in~ (${quote(skus)})`,
    "where properties.osType =~ 'linux'",
    `where location in~ (${quote(regions)})`,
    'project skuName = tostring(sku.name), location, latestSpotPriceUSD = todouble(properties.spotPrices[0].priceUSD)',
  ].join(' | ');
}

interface GraphPage {
  data?: Record<string, unknown>[];
  $skipToken?: string;
  sampleData?: string;
}

/** Every row of a query, following `$skipToken` (at most `maxPages`). */
export async function queryResourceGraph(
  arm: ArmClient,
  subscriptionId: string,
  query: string,
  signal?: AbortSignal,
  maxPages = 20,
  /** Rows a page (`$top`); Azure's default of 100 unless set. */
  top?: number,
): Promise<{ rows: Record<string, unknown>[]; sample: boolean }> {
  const rows: Record<string, unknown>[] = [];
  let skipToken: string | undefined;
  let sample = false;
  for (let page = 0; page < maxPages; page++) {
    const options = { ...(top ? { $top: top } : {}), ...(skipToken ? { $skipToken: skipToken } : {}) };
    const body = { subscriptions: [subscriptionId], query, options };
    const res = (await arm.post('/providers/Microsoft.ResourceGraph', 'resources', RESOURCE_GRAPH_API_VERSION, body, signal)) as GraphPage;
    rows.push(...(res?.data ?? []));
    sample ||= Boolean(res?.sampleData);
    skipToken = res?.$skipToken;
    if (!skipToken) break;
  }
  return { rows, sample };
}

export async function fetchSpotFacts(
  t: AzureTarget,
  arm: ArmClient,
  skus: string[],
  regions: string[],
  now: () => number,
  signal?: AbortSignal,
): Promise<SpotFacts> {
  const [bands, prices] = await Promise.all([
    queryResourceGraph(arm, t.subscriptionId, evictionQuery(skus, regions), signal),
    queryResourceGraph(arm, t.subscriptionId, priceHistoryQuery(skus, regions), signal),
  ]);
  const at = new Date(now()).toISOString();
  const kind = (sample: boolean) => (sample ? 'sample' : 'live');
  const where = t.serviceName('Resource Graph');
  const facts: SpotFacts = { bands: new Map(), latestSpotUsd: new Map() };
  for (const r of bands.rows) {
    if (typeof r.spotEvictionRate === 'string' && r.spotEvictionRate)
      facts.bands.set(
        spotKey(String(r.location), String(r.skuName)),
        sourced(r.spotEvictionRate, kind(bands.sample), `${where}, SpotResources skuspotevictionrate`, at),
      );
  }
  for (const r of prices.rows) {
    if (typeof r.latestSpotPriceUSD === 'number')
      facts.latestSpotUsd.set(
        spotKey(String(r.location), String(r.skuName)),
        sourced(r.latestSpotPriceUSD, kind(prices.sample), `${where}, SpotResources skuspotpricehistory (latest, USD)`, at),
      );
  }
  return facts;
}

export interface PlacementScore {
  sku: string;
  region: string;
  availabilityZone?: string;
  score: string;
  isQuotaAvailable?: boolean;
}

/** Spot Placement Scores for up to 8 regions × 5 sizes; `desiredCount` VMs at once. */
export async function fetchPlacementScores(
  t: AzureTarget,
  arm: ArmClient,
  p: { location: string; regions: string[]; skus: string[]; desiredCount: number; zonal: boolean },
  signal?: AbortSignal,
): Promise<PlacementScore[]> {
  const id = `/subscriptions/${t.subscriptionId}/providers/Microsoft.Compute/locations/${p.location}/placementScores/spot`;
  const body = {
    desiredLocations: p.regions.slice(0, 8),
    desiredSizes: p.skus.slice(0, 5).map((sku) => ({ sku })),
    desiredCount: p.desiredCount,
    availabilityZones: p.zonal,
  };
  const res = (await arm.post(id, 'generate', PLACEMENT_SCORES_API_VERSION, body, signal)) as { placementScores?: PlacementScore[] };
  return res?.placementScores ?? [];
}
