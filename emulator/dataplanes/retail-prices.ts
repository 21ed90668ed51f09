// The Retail Prices API (`GET /api/retail/prices?$filter=…`, no auth) over the SAMPLE price
// table in retail-prices-sample.ts. Same envelope and item fields as prices.azure.com; paging by
// `NextPageLink` with `$skip`; `currencyCode` (quoted or not) prices the page in one of the
// currencies Microsoft lists, scaled from the USD table. Every answer is labelled as sample data.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlaneHandler } from './deps.js';
import { sendJson } from './http-util.js';
import { compileFilter, ODataFilterError, type Item } from './odata-filter.js';
import {
  SAMPLE_DATA_NOTICE,
  SAMPLE_EFFECTIVE_START,
  SAMPLE_REGIONS,
  SAMPLE_SKUS,
  SAMPLE_UNITS_PER_USD,
  SAMPLE_WINDOWS_FACTOR,
} from './retail-prices-sample.js';

const RETAIL_PRICES_PATH = '/api/retail/prices';
/** prices.azure.com returns up to 1000 items a page. */
const AZURE_PAGE_SIZE = 1000;

export interface RetailPricesOptions {
  /** Items per page; smaller than Azure's 1000 only to exercise paging in tests. */
  pageSize?: number;
}

const ITEM_FIELDS = [
  'currencyCode',
  'tierMinimumUnits',
  'retailPrice',
  'unitPrice',
  'armRegionName',
  'location',
  'effectiveStartDate',
  'meterId',
  'meterName',
  'productId',
  'skuId',
  'productName',
  'skuName',
  'serviceName',
  'serviceId',
  'serviceFamily',
  'unitOfMeasure',
  'type',
  'isPrimaryMeterRegion',
  'armSkuName',
] as const;

/** Stable made-up ids (hash of the meter), shaped like Azure's but not Azure's. */
function fakeId(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length).toUpperCase();
}

function guidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** One item per SKU × region × meter (Linux on-demand, Linux Spot, Windows on-demand). */
function buildSampleItems(): Item[] {
  const items: Item[] = [];
  const round = (n: number): number => Math.round(n * 10_000) / 10_000;
  for (const sku of SAMPLE_SKUS) {
    const productId = `DZH318Z${fakeId(sku.productFamily, 5)}`;
    for (const region of SAMPLE_REGIONS) {
      const meters = [
        { meterName: sku.displayName, productName: `Virtual Machines ${sku.productFamily} Series`, price: sku.onDemandPerHour },
        { meterName: `${sku.displayName} Spot`, productName: `Virtual Machines ${sku.productFamily} Series`, price: sku.spotPerHour },
        {
          meterName: sku.displayName,
          productName: `Virtual Machines ${sku.productFamily} Series Windows`,
          price: sku.onDemandPerHour * SAMPLE_WINDOWS_FACTOR,
        },
      ];
      for (const m of meters) {
        const price = round(m.price * region.factor);
        const key = `${m.productName}|${m.meterName}|${region.armRegionName}`;
        items.push({
          currencyCode: 'USD',
          tierMinimumUnits: 0.0,
          retailPrice: price,
          unitPrice: price,
          armRegionName: region.armRegionName,
          location: region.location,
          effectiveStartDate: SAMPLE_EFFECTIVE_START,
          meterId: guidFrom(key),
          meterName: m.meterName,
          productId,
          skuId: `${productId}/${fakeId(key, 4)}`,
          productName: m.productName,
          skuName: m.meterName,
          serviceName: 'Virtual Machines',
          serviceId: 'DZH313Z7MMC8',
          serviceFamily: 'Compute',
          unitOfMeasure: '1 Hour',
          type: 'Consumption',
          isPrimaryMeterRegion: true,
          armSkuName: sku.armSkuName,
        });
      }
    }
  }
  return items;
}

/** Rounded to 4 decimals, as the USD sample is. */
function inCurrency(item: Item, currency: string, unitsPerUsd: number): Item {
  if (currency === 'USD') return item;
  const price = Math.round((item.retailPrice as number) * unitsPerUsd * 10_000) / 10_000;
  return { ...item, currencyCode: currency, retailPrice: price, unitPrice: price };
}

export function createRetailPricesDataPlane(options: RetailPricesOptions = {}): DataPlaneHandler {
  const items = buildSampleItems();
  const pageSize = options.pageSize ?? AZURE_PAGE_SIZE;
  const labelled = { 'x-gpuarb-sample-data': SAMPLE_DATA_NOTICE };

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname.replace(/\/$/, '') !== RETAIL_PRICES_PATH) return false;
    const fail = (status: number, message: string): void =>
      sendJson(res, status, { Error: { Code: 'BadRequest', Message: message }, SampleData: SAMPLE_DATA_NOTICE }, labelled);
    if (req.method !== 'GET') {
      fail(405, `The Retail Prices API answers GET only, not ${req.method}.`);
      return true;
    }
    const requested = url.searchParams.get('currencyCode');
    const currency = requested === null ? 'USD' : requested.replace(/'/g, '').trim().toUpperCase();
    const unitsPerUsd = SAMPLE_UNITS_PER_USD[currency];
    if (unitsPerUsd === undefined) {
      fail(
        400,
        `currencyCode ${requested} is not one of the Retail Prices API's supported currencies (${Object.keys(SAMPLE_UNITS_PER_USD).join(', ')}).`,
      );
      return true;
    }
    const filter = url.searchParams.get('$filter');
    let matching = items;
    if (filter) {
      try {
        const predicate = compileFilter(filter, ITEM_FIELDS);
        matching = items.filter(predicate);
      } catch (err) {
        if (!(err instanceof ODataFilterError)) throw err;
        fail(400, `Invalid OData parameters supplied: ${err.message}`);
        return true;
      }
    }
    const skip = Math.max(0, Number(url.searchParams.get('$skip') ?? 0) || 0);
    // The filter sees the USD items (a `currencyCode eq 'EUR'` inside $filter matches nothing, as
    // on Azure, where the currency is a query parameter only); the page is then priced in `currency`.
    const page = matching.slice(skip, skip + pageSize).map((item) => inCurrency(item, currency, unitsPerUsd));
    let nextPageLink: string | null = null;
    if (skip + pageSize < matching.length) {
      const next = new URL(RETAIL_PRICES_PATH, `https://${req.headers.host ?? url.host}`);
      for (const [k, v] of url.searchParams) if (k !== '$skip') next.searchParams.set(k, v);
      next.searchParams.set('$skip', String(skip + pageSize));
      nextPageLink = next.toString();
    }
    sendJson(
      res,
      200,
      {
        BillingCurrency: currency,
        CustomerEntityId: 'Default',
        CustomerEntityType: 'Retail',
        Items: page,
        NextPageLink: nextPageLink,
        Count: page.length,
        SampleData: SAMPLE_DATA_NOTICE,
      },
      labelled,
    );
    return true;
  };
}
