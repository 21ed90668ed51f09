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
