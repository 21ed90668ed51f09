// Hourly VM prices from the Retail Prices API (no auth; `$filter` is case-sensitive; paged by
// NextPageLink). Linux Consumption meters only: a "Spot" meter is the spot price, the plain one
// on-demand; "Low Priority" (the retired predecessor of Spot) and Windows meters are ignored.
import type { AzureTarget } from '../azure/target.js';
import { dataPlaneAgent } from './azure-clients.js';

export interface RetailPriceItem {
  armSkuName: string;
  armRegionName: string;
  meterName: string;
  productName: string;
  skuName?: string;
  retailPrice: number;
  unitOfMeasure: string;
  type: string;
  currencyCode?: string;
}

export interface VmPrice {
  spot: number | null;
  regular: number | null;
}

/** Reservation and savings-plan rows are dropped by pickPrices (item `type`), not by the filter. */
export function priceFilter(region: string, sku: string): string {
  return `serviceName eq 'Virtual Machines' and armRegionName eq '${region}' and armSkuName eq '${sku}'`;
}

export function pickPrices(items: RetailPriceItem[], sku: string): VmPrice {
  const linux = items.filter(
    (i) =>
      i.armSkuName === sku &&
      i.type === 'Consumption' &&
      i.unitOfMeasure === '1 Hour' &&
      !/windows/i.test(i.productName) &&
      !/low priority/i.test(`${i.meterName} ${i.skuName ?? ''}`),
  );
  const spot = linux.filter((i) => /spot/i.test(`${i.meterName} ${i.skuName ?? ''}`));
  const regular = linux.filter((i) => !/spot/i.test(`${i.meterName} ${i.skuName ?? ''}`));
  // Several meters can match (e.g. a reservation-era duplicate): the lowest is what is billed.
  const min = (xs: RetailPriceItem[]) => (xs.length ? Math.min(...xs.map((x) => x.retailPrice)) : null);
  return { spot: min(spot), regular: min(regular) };
}

/** Fetches every page for one SKU and region (at most `maxPages`, a guard against loops). */
export async function fetchVmPrice(
  t: AzureTarget,
  region: string,
  sku: string,
  signal?: AbortSignal,
  maxPages = 10,
  currency?: string,
): Promise<VmPrice> {
  const agent = dataPlaneAgent(t);
  // Without currencyCode the API answers in USD.
  const inCurrency = currency ? `currencyCode=${encodeURIComponent(`'${currency}'`)}&` : '';
  let url: string | null = `${t.endpoints.retailPrices}?${inCurrency}$filter=${encodeURIComponent(priceFilter(region, sku))}`;
  const items: RetailPriceItem[] = [];
  for (let page = 0; url && page < maxPages; page++) {
    const body = (await getJson(url, agent, signal)) as { Items?: RetailPriceItem[]; NextPageLink?: string | null };
    items.push(...(body.Items ?? []));
    url = body.NextPageLink ?? null;
  }
  return pickPrices(items, sku);
}

async function getJson(url: string, agent: import('node:https').Agent | undefined, signal?: AbortSignal): Promise<unknown> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent, signal, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400) {
          // The API's own message says what was wrong (an invalid filter, an unknown currency).
          const why = /"Message"\s*:\s*"([^"]*)"/.exec(text)?.[1];
          return reject(new Error(`Retail Prices API answered ${res.statusCode}${why ? `: ${why}` : ''}`));
        }
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('Retail Prices API timed out')));
    req.on('error', reject);
  });
}
