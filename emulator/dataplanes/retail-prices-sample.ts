// SAMPLE DATA — ILLUSTRATIVE PRICES, NOT AZURE'S.
//
// These hourly figures are made up to be of a plausible order of magnitude for the GPU SKUs in
// DESIGN.md, so that `gpuarb cost` and its tests have something shaped like the Retail Prices
// API to read. They are not quotes, were not copied from Azure, and must never be used for a
// real decision: read https://prices.azure.com/api/retail/prices for that. Every answer built
// from this table says so (`SampleData` field and `x-gpuarb-sample-data` header).

export const SAMPLE_DATA_NOTICE = "SAMPLE DATA: illustrative prices from the gpuarb local cloud, not Azure's";

/** Illustrative USD per hour, Linux, in the reference region (eastus). */
export interface SampleSku {
  armSkuName: string;
  /** Meter/sku display name as Azure spells it (underscores to spaces, no "Standard_"). */
  displayName: string;
  productFamily: string;
  onDemandPerHour: number;
  spotPerHour: number;
}

export const SAMPLE_SKUS: SampleSku[] = [
  { armSkuName: 'Standard_NC4as_T4_v3', displayName: 'NC4as T4 v3', productFamily: 'NCasT4 v3', onDemandPerHour: 0.55, spotPerHour: 0.11 },
  {
    armSkuName: 'Standard_NC24ads_A100_v4',
    displayName: 'NC24ads A100 v4',
    productFamily: 'NCadsA100v4',
    onDemandPerHour: 3.8,
    spotPerHour: 0.95,
  },
  {
    armSkuName: 'Standard_NC48ads_A100_v4',
    displayName: 'NC48ads A100 v4',
    productFamily: 'NCadsA100v4',
    onDemandPerHour: 7.6,
    spotPerHour: 1.9,
  },
  {
    armSkuName: 'Standard_NC96ads_A100_v4',
    displayName: 'NC96ads A100 v4',
    productFamily: 'NCadsA100v4',
    onDemandPerHour: 15.2,
    spotPerHour: 3.8,
  },
  {
    armSkuName: 'Standard_NC40ads_H100_v5',
    displayName: 'NC40ads H100 v5',
    productFamily: 'NCadsH100v5',
    onDemandPerHour: 7.2,
    spotPerHour: 1.75,
  },
];

/** Regions in the sample, with Azure's display location and an illustrative price factor. */
export const SAMPLE_REGIONS: { armRegionName: string; location: string; factor: number }[] = [
  { armRegionName: 'eastus', location: 'US East', factor: 1.0 },
  { armRegionName: 'southcentralus', location: 'US South Central', factor: 1.02 },
  { armRegionName: 'westus3', location: 'US West 3', factor: 1.04 },
  { armRegionName: 'westeurope', location: 'EU West', factor: 1.12 },
];

/** Windows meters cost more (licence); illustrative per-vCPU-hour uplift, folded into a factor. */
export const SAMPLE_WINDOWS_FACTOR = 1.18;

export const SAMPLE_EFFECTIVE_START = '2024-06-01T00:00:00Z';

/**
 * The currencies Microsoft lists as supported by the Retail Prices API's `currencyCode`
 * ("Supported currencies", https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices),
 * each with an ILLUSTRATIVE number of units per USD: made up, of a plausible order, not an
 * exchange rate and not Azure's. Azure sets its non-USD prices itself ("for your reference to
 * help you estimate budget expenses"); the sample simply scales its USD table by these.
 */
export const SAMPLE_UNITS_PER_USD: Readonly<Record<string, number>> = {
  USD: 1,
  AUD: 1.5,
  BRL: 5.2,
  CAD: 1.36,
  CHF: 0.88,
  CNY: 7.2,
  DKK: 6.9,
  EUR: 0.93,
  GBP: 0.79,
  INR: 83,
  JPY: 150,
  KRW: 1350,
  NOK: 10.6,
  NZD: 1.65,
  RUB: 92,
  SEK: 10.5,
  TWD: 32,
};
