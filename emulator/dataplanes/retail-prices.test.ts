import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRetailPricesDataPlane } from './retail-prices.js';
import { SAMPLE_DATA_NOTICE } from './retail-prices-sample.js';
import { testCert } from '../../testkit/tls.js';
import { startTestServer, type TestServer } from '../../testkit/dataplane-server.js';
import { Agent, request } from 'node:https';

let server: TestServer;
let agent: Agent;

beforeAll(async () => {
  const tls = testCert();
  server = await startTestServer(tls, [createRetailPricesDataPlane({ pageSize: 7 })]);
  agent = new Agent({ ca: tls.ca });
});

afterAll(async () => {
  agent?.destroy();
  await server?.close();
});

interface PricePage {
  BillingCurrency: string;
  CustomerEntityId: string;
  CustomerEntityType: string;
  Items: Record<string, unknown>[];
  NextPageLink: string | null;
  Count: number;
  SampleData?: string;
  Error?: { Code: string; Message: string };
}

/** GET over https with the test CA (fetch cannot take a CA without a dispatcher package). */
function get(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: PricePage }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as PricePage }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

const pricesUrl = (filter: string): string => `${server.origin}/api/retail/prices?$filter=${encodeURIComponent(filter)}`;

describe('Retail Prices API over the sample table', () => {
  it('answers the Azure envelope, labelled as sample data', async () => {
    const { status, headers, body } = await get(
      pricesUrl("serviceName eq 'Virtual Machines' and armSkuName eq 'Standard_NC24ads_A100_v4' and armRegionName eq 'eastus'"),
    );
    expect(status).toBe(200);
    expect(headers['x-gpuarb-sample-data']).toBe(SAMPLE_DATA_NOTICE);
    expect(body).toMatchObject({
      BillingCurrency: 'USD',
      CustomerEntityId: 'Default',
      CustomerEntityType: 'Retail',
      NextPageLink: null,
      Count: 3,
      SampleData: SAMPLE_DATA_NOTICE,
    });
    expect(Object.keys(body.Items[0]).sort()).toEqual([
      'armRegionName',
      'armSkuName',
      'currencyCode',
      'effectiveStartDate',
      'isPrimaryMeterRegion',
      'location',
      'meterId',
      'meterName',
      'productId',
      'productName',
      'retailPrice',
      'serviceFamily',
      'serviceId',
      'serviceName',
      'skuId',
      'skuName',
      'tierMinimumUnits',
      'type',
      'unitOfMeasure',
      'unitPrice',
    ]);
  });

  it("finds Spot meters with contains(meterName,'Spot'), cheaper than on-demand", async () => {
    const spot = await get(
      pricesUrl("armSkuName eq 'Standard_NC40ads_H100_v5' and armRegionName eq 'westeurope' and contains(meterName,'Spot')"),
    );
    expect(spot.body.Items.map((i) => i.meterName)).toEqual(['NC40ads H100 v5 Spot']);
    const linux = await get(
      pricesUrl(
        "armSkuName eq 'Standard_NC40ads_H100_v5' and armRegionName eq 'westeurope' and not contains(meterName,'Spot') and not endswith(productName,'Windows')",
      ),
    );
    expect(linux.body.Items).toHaveLength(1);
    expect(spot.body.Items[0].retailPrice as number).toBeLessThan(linux.body.Items[0].retailPrice as number);
  });

  it('is case-sensitive in values and property names', async () => {
    expect((await get(pricesUrl("serviceName eq 'virtual machines'"))).body.Items).toHaveLength(0);
    const bad = await get(pricesUrl("ServiceName eq 'Virtual Machines'"));
    expect(bad.status).toBe(400);
    expect(bad.body.Error?.Message).toContain("'ServiceName'");
  });

  it('pages through NextPageLink until null, every item once', async () => {
    let url: string | null = pricesUrl("contains(meterName,'Spot')");
    const seen: string[] = [];
    let pages = 0;
    while (url && pages < 20) {
      const page: PricePage = (await get(url)).body;
      expect(page.Count).toBe(page.Items.length);
      seen.push(...page.Items.map((i) => String(i.meterId)));
      url = page.NextPageLink;
      pages++;
    }
    expect(url).toBeNull();
    expect(seen).toHaveLength(20); // 5 SKUs × 4 regions, one Spot meter each
    expect(new Set(seen).size).toBe(20);
    expect(pages).toBe(3); // page size 7 in this test
  });

  it('rejects a malformed filter with 400', async () => {
    expect((await get(pricesUrl("armSkuName = 'x'"))).status).toBe(400);
    expect((await get(pricesUrl("contains(meterName,'Spot'"))).status).toBe(400);
  });
});

describe('Retail Prices API in other currencies (currencyCode)', () => {
  const filter = "armSkuName eq 'Standard_NC24ads_A100_v4' and armRegionName eq 'westeurope'";
  const inCurrency = (code: string, f = filter) =>
    get(`${server.origin}/api/retail/prices?currencyCode=${encodeURIComponent(code)}&$filter=${encodeURIComponent(f)}`);

  it("prices every item in the requested currency, quoted ('EUR') or not (EUR)", async () => {
    const usd = (await get(pricesUrl(filter))).body;
    const eur = await inCurrency("'EUR'");
    expect(eur.status).toBe(200);
    expect(eur.body.BillingCurrency).toBe('EUR');
    expect(eur.body.SampleData).toBe(SAMPLE_DATA_NOTICE);
    expect(eur.body.Items.map((i) => i.meterId)).toEqual(usd.Items.map((i) => i.meterId));
    for (const [k, item] of eur.body.Items.entries()) {
      expect(item.currencyCode).toBe('EUR');
      // Sample: the USD price × 0.93 EUR/USD, rounded to 4 decimals; unitPrice equals retailPrice.
      // NC24ads A100 v4 on-demand in westeurope: 3.80 × 1.12 = 4.256 USD → 4.256 × 0.93 = 3.95808 EUR.
      expect(item.retailPrice).toBeCloseTo(Math.round((usd.Items[k].retailPrice as number) * 0.93 * 1e4) / 1e4, 10);
      expect(item.unitPrice).toBe(item.retailPrice);
    }
    const onDemand = eur.body.Items.find((i) => i.meterName === 'NC24ads A100 v4' && !String(i.productName).endsWith('Windows'));
    expect(onDemand?.retailPrice).toBe(3.9581);
    expect((await inCurrency('EUR')).body.Items).toEqual(eur.body.Items);
  });

  it('pages in the currency: NextPageLink keeps currencyCode', async () => {
    let url: string | null =
      `${server.origin}/api/retail/prices?currencyCode='JPY'&$filter=${encodeURIComponent("contains(meterName,'Spot')")}`;
    const currencies = new Set<unknown>();
    let items = 0;
    for (let pages = 0; url && pages < 20; pages++) {
      const page: PricePage = (await get(url)).body;
      for (const i of page.Items) currencies.add(i.currencyCode);
      items += page.Items.length;
      url = page.NextPageLink;
    }
    expect(url).toBeNull();
    expect(items).toBe(20);
    expect([...currencies]).toEqual(['JPY']);
  });

  it('matches nothing when currencyCode is put inside $filter instead (items are filtered in USD)', async () => {
    const r = await get(pricesUrl(`${filter} and currencyCode eq 'EUR'`));
    expect(r.status).toBe(200);
    expect(r.body.Items).toHaveLength(0);
  });

  it('refuses a currency outside the supported list with 400, naming the list', async () => {
    const r = await inCurrency("'XYZ'");
    expect(r.status).toBe(400);
    expect(r.body.Error?.Code).toBe('BadRequest');
    expect(r.body.Error?.Message).toMatch(/currencyCode 'XYZ' is not one of .*supported currencies \(USD, AUD, .*EUR.*\)/);
  });
});
