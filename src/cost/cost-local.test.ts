// `gpuarb cost` against the local cloud's Retail Prices and Resource Graph (sample data), through
// the same HTTP and SDK paths as against Azure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpsTestCloud, startOpsCloud } from '../../testkit/ops-cloud.js';
import { costCommand } from '../commands/cost.js';
import type { CostReport, RecommendReport } from './collect.js';

function poolOf(r: CostReport, name: string) {
  const p = r.pools.find((x) => x.pool === name);
  if (!p) throw new Error(`no pool ${name} in the report`);
  return p;
}

const CONFIG = (currency = 'USD') => `
stack: costtest
location: eastus
cost: { currency: ${currency}, utilisation: 0.5, repairTime: 30m }
pools:
  - name: llama
    model: llama3-70b
    engine: vllm
    hfModel: meta-llama/Meta-Llama-3-70B-Instruct
    tensorParallel: 4
    sku: Standard_NC96ads_A100_v4
    gpu: 4xA100-80GB
    capacity: { min: 1, max: 2, initial: 2 }
    spot: { regularBase: 1 }
    prices: { inputPerMillion: 0.9, outputPerMillion: 2.7 }
    marketPrices:
      - { name: example-provider, inputPerMillion: 0.59, outputPerMillion: 0.79, source: operator note, asOf: 2026-12-01 }
  - name: nometer
    model: phi3-mini
    engine: vllm
    hfModel: microsoft/Phi-3-mini-4k-instruct
    sku: Standard_ND96asr_v4
  - name: phi
    model: phi3-mini
    engine: sim
    sku: Standard_NC4as_T4_v3
`;

describe('gpuarb cost on the local cloud', () => {
  let cloud: OpsTestCloud;
  beforeAll(async () => {
    cloud = await startOpsCloud(CONFIG());
  });
  afterAll(async () => cloud?.stop());

  it('prices a pool from sample prices, bands and a cited throughput row, every input with its source', async () => {
    const { ctx, stdout, stderr } = cloud.context();
    const r = (await costCommand.run(ctx, { pool: 'llama' })) as CostReport;
    costCommand.render?.(ctx, r);
    const llama = poolOf(r, 'llama');
    expect(llama.inputs.onDemandPerHour).toMatchObject({ value: 15.2, source: 'sample' });
    expect(llama.inputs.spotPerHour).toMatchObject({ value: 3.8, source: 'sample' });
    expect(llama.inputs.spotPriceHistoryUsd).toMatchObject({ value: 3.8, source: 'sample' });
    expect(llama.inputs.evictionBand).toMatchObject({ value: '10-15', source: 'sample' });
    expect(llama.inputs.throughput.source).toBe('cited');
    expect(llama.inputs.priorityMix.value).toMatchObject({ regular: 1, spot: 1 });
    // cost/h = 15.20 + 3.80 = 19.00; output tokens/h = 99.54 tok/s × 2 replicas × 3600 s × 0.5 = 358,344
    // $/1M output = 19.00 / 358,344 × 1e6 = 53.0217
    // revenue/h = (63.29 × 3600 × 0.9 + 358,344 × 2.7) / 1e6 = (205,059.6 + 967,528.8) / 1e6 = 1.1725884
    expect(llama.figures.costPerHour).toBeCloseTo(19.0, 10);
    expect(llama.figures.costPerMillionOutput).toBeCloseTo(53.0217, 4);
    expect(llama.figures.revenuePerHour).toBeCloseTo(1.1725884, 7);
    // min 1 and one regular replica: the regular alone keeps the minimum.
    expect(llama.availability).toBe(1);

    const text = stdout.text;
    expect(text).toMatch(/pool llama: llama3-70b \(vllm\) on Standard_NC96ads_A100_v4 in eastus/);
    expect(text).toMatch(/spot price\s+\$3\.8000\/h\s+sample: the local cloud's Retail Prices API/);
    expect(text).toMatch(/market: example-provider\s+\$0\.59 in \/ \$0\.79 out per 1M\s+operator-supplied: operator note \(2026-12-01\)/);
    expect(text).toMatch(/\$53\.0217 per 1M output tokens/);
    // This stack was never deployed: no Cosmos account, so no metering to measure from. Said, not fatal.
    expect(stderr.text.trim().split('\n')).toEqual([
      expect.stringMatching(/^warning: throughput from metering not read: .*cosmos-costtest.* was not found/),
    ]);
  });

  it('reports a SKU without meters and a sim pool instead of failing', async () => {
    const { ctx } = cloud.context();
    const r = (await costCommand.run(ctx, {})) as CostReport;
    const nometer = poolOf(r, 'nometer');
    expect(nometer.figures.costPerHour).toBeNull();
    expect(r.notes).toContain('Standard_ND96asr_v4 has no Linux spot meter in eastus');
    expect(r.notes).toContain('Standard_ND96asr_v4 has no Linux on-demand meter in eastus');
    expect(r.notes).toContain('nometer: no spot price meter');
    const phi = poolOf(r, 'phi');
    expect(phi.inputs.throughput.value).toBeNull();
    expect(phi.figures.costPerMillionOutput).toBeNull();
    expect(r.notes).toContain('phi runs the sim engine: no real throughput, so no cost per token');
  });

  it('--recommend ranks candidates, refuses SKUs too small for the model, prints the config change', async () => {
    const { ctx, stdout } = cloud.context();
    const r = (await costCommand.run(ctx, { recommend: true, model: 'llama3-70b', availability: '99.9' })) as RecommendReport;
    const rec = r.recommendations[0];
    expect(rec.refused.map((x) => x.sku)).toEqual(
      expect.arrayContaining(['Standard_NC4as_T4_v3', 'Standard_NC24ads_A100_v4', 'Standard_NC48ads_A100_v4', 'Standard_NC40ads_H100_v5']),
    );
    expect(rec.winner).toMatchObject({ sku: 'Standard_NC96ads_A100_v4', region: 'eastus' });
    costCommand.render?.(ctx, r);
    expect(stdout.text).toMatch(/refused Standard_NC24ads_A100_v4: 1×80 GB cannot hold llama3-70b/);
    expect(stdout.text).toMatch(/apply with:/);
  });
});

describe('gpuarb cost in another currency (EUR)', () => {
  let cloud: OpsTestCloud;
  beforeAll(async () => {
    cloud = await startOpsCloud(CONFIG('EUR'));
  });
  afterAll(async () => cloud?.stop());

  it('reads the prices in EUR and converts the USD sell prices at the ratio the API itself implies', async () => {
    const { ctx, stdout } = cloud.context();
    const r = (await costCommand.run(ctx, { pool: 'llama' })) as CostReport;
    costCommand.render?.(ctx, r);
    expect(r.currency).toBe('EUR');
    const llama = poolOf(r, 'llama');
    // Sample EUR meters: 15.20 USD × 0.93 = 14.136 EUR on demand, 3.80 × 0.93 = 3.534 EUR spot.
    expect(llama.inputs.onDemandPerHour).toMatchObject({ value: 14.136, source: 'sample' });
    expect(llama.inputs.spotPerHour).toMatchObject({ value: 3.534, source: 'sample' });
    // The rate: the same on-demand meter in EUR and in USD, 14.136 / 15.20 = 0.93 EUR per USD.
    // Sell: 0.9 × 0.93 = 0.837 EUR and 2.7 × 0.93 = 2.511 EUR per 1M.
    expect(llama.inputs.sellPrice.value?.inputPerMillion).toBeCloseTo(0.837, 10);
    expect(llama.inputs.sellPrice.value?.outputPerMillion).toBeCloseTo(2.511, 10);
    expect(llama.inputs.sellPrice.detail).toMatch(
      /prices \(USD\) × 0\.9300 EUR\/USD, the sample ratio of the .* on-demand meter in EUR and USD/,
    );
    // cost/h = 14.136 + 3.534 = 17.67 EUR; output tokens/h = 358,344 (as in USD)
    // per 1M output = 17.67 / 358,344 × 1e6 = 49.3101...; revenue/h = 1.1725884 USD × 0.93 = 1.090507212 EUR
    expect(llama.figures.costPerHour).toBeCloseTo(17.67, 10);
    expect(llama.figures.costPerMillionOutput).toBeCloseTo(49.31016, 4);
    expect(llama.figures.revenuePerHour).toBeCloseTo(1.090507212, 8);
    expect(stdout.text).toMatch(
      /on-demand price\s+EUR 14\.1360\/h\s+sample: the local cloud's Retail Prices API, Linux Consumption meters, EUR/,
    );
    expect(stdout.text).toMatch(/EUR 49\.3102 per 1M output tokens/);
  });
});

describe('gpuarb cost in a currency the Retail Prices API does not offer', () => {
  let cloud: OpsTestCloud;
  beforeAll(async () => {
    cloud = await startOpsCloud(CONFIG('XYZ'));
  });
  afterAll(async () => cloud?.stop());

  it('asks the Retail Prices API for that currency and reports its refusal per SKU', async () => {
    const { ctx } = cloud.context();
    const r = (await costCommand.run(ctx, { pool: 'llama' })) as CostReport;
    expect(r.currency).toBe('XYZ');
    expect(r.pools[0].figures.costPerHour).toBeNull();
    expect(r.notes.join('\n')).toMatch(
      /prices of Standard_NC96ads_A100_v4 in eastus: Retail Prices API answered 400: currencyCode 'XYZ' is not one of the Retail Prices API's supported currencies/,
    );
    // Without a price in XYZ there is no exchange rate for the USD sell prices either.
    expect(r.pools[0].inputs.sellPrice.value).toBeNull();
  });
});
