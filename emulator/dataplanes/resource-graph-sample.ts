// SAMPLE DATA — ILLUSTRATIVE EVICTION RATES, SPOT PRICE HISTORY AND PLACEMENT SCORES, NOT AZURE'S.
//
// The rows the local cloud's Resource Graph serves from its `SpotResources` table, and the scores
// its Spot Placement Score endpoint answers with. Made up so that `gpuarb cost` has something
// shaped like Azure's answers on `up --local`; every answer built from them says so (`sampleData`
// field and `x-gpuarb-sample-data` header). The spot prices follow the sample Retail Prices table
// (same SKUs, regions and regional factors) so the two sample sources agree with each other.
import { SAMPLE_REGIONS, SAMPLE_SKUS } from './retail-prices-sample.js';

export const SPOT_SAMPLE_NOTICE =
  "SAMPLE DATA: illustrative eviction rates, spot price history and placement scores from the gpuarb local cloud, not Azure's";

/** The bands Azure reports in `properties.evictionRate` (percent of VMs evicted per hour). */
export const EVICTION_BANDS = ['0-5', '5-10', '10-15', '15-20', '20+'] as const;
export type EvictionBand = (typeof EVICTION_BANDS)[number];

/** Illustrative band per SKU (index into EVICTION_BANDS), shifted by region below. */
const SKU_BAND: Record<string, number> = {
  Standard_NC4as_T4_v3: 0,
  Standard_NC24ads_A100_v4: 1,
  Standard_NC48ads_A100_v4: 1,
  Standard_NC96ads_A100_v4: 2,
  Standard_NC40ads_H100_v5: 3,
};
/** Illustrative regional pressure: westeurope's sample capacity is tighter. */
const REGION_SHIFT: Record<string, number> = { eastus: 0, southcentralus: 0, westus3: 1, westeurope: 1 };

/** Days of price history in the sample (Azure keeps up to 90). */
const HISTORY_DAYS = 7;
const DAY_MS = 86_400_000;

export interface SpotRow {
  id: string;
  name: string;
  type: string;
  location: string;
  sku: { name: string };
  properties: Record<string, unknown>;
}

export function sampleSpotRows(subscriptionId: string, nowMs: number): SpotRow[] {
  const rows: SpotRow[] = [];
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  for (const sku of SAMPLE_SKUS) {
    const skuName = sku.armSkuName.toLowerCase();
    for (const region of SAMPLE_REGIONS) {
      const loc = region.armRegionName;
      const band = sampleBand(sku.armSkuName, loc) as EvictionBand;
      const base = `/subscriptions/${subscriptionId}/providers/Microsoft.Compute/locations/${loc}`;
      rows.push({
        id: `${base}/skuSpotEvictionRate/${skuName}`,
        name: skuName,
        type: 'microsoft.compute/skuspotevictionrate/location',
        location: loc,
        sku: { name: skuName },
        properties: { evictionRate: band },
      });
      // Newest first, as `properties.spotPrices[0]` is the latest price in Microsoft's sample query.
      const price = Math.round(sku.spotPerHour * region.factor * 10_000) / 10_000;
      const spotPrices = Array.from({ length: HISTORY_DAYS }, (_, d) => ({
        timestamp: new Date(today - d * DAY_MS).toISOString(),
        priceUSD: Math.round(price * (1 + 0.01 * d) * 10_000) / 10_000,
      }));
      rows.push({
        id: `${base}/skuSpotPriceHistory/${skuName}/osType/linux`,
        name: skuName,
        type: 'microsoft.compute/skuspotpricehistory/ostype/location',
        location: loc,
        sku: { name: skuName },
        properties: { osType: 'Linux', location: loc, spotPrices },
      });
    }
  }
  return rows;
}

/** The sample eviction band of a SKU in a region, or undefined outside the sample. */
export function sampleBand(sku: string, region: string): EvictionBand | undefined {
  const s = SAMPLE_SKUS.find((x) => x.armSkuName.toLowerCase() === sku.toLowerCase());
  if (!s || !SAMPLE_REGIONS.some((r) => r.armRegionName === region)) return undefined;
  return EVICTION_BANDS[Math.min(EVICTION_BANDS.length - 1, (SKU_BAND[s.armSkuName] ?? 2) + (REGION_SHIFT[region] ?? 0))];
}

/** High / Medium / Low from the sample band and how many VMs are asked for at once. */
export function sampleScore(band: EvictionBand, desiredCount: number): 'High' | 'Medium' | 'Low' {
  const pressure = EVICTION_BANDS.indexOf(band) + (desiredCount > 50 ? 2 : desiredCount > 10 ? 1 : 0);
  return pressure <= 1 ? 'High' : pressure <= 3 ? 'Medium' : 'Low';
}
