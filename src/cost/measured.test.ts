// Measured throughput in `gpuarb cost`: the served rate from metering, the load-test record, the
// `measured → cited → none` order, and a figure from the sim engine never used as throughput.
// Every figure below is worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/load.js';
import { evaluatePool } from './evaluate.js';
import type { Market } from './market.js';
import { type MeasuredThroughput, meteredThroughput } from './measured.js';
import { sourced } from './sourced.js';
import { spotKey } from './spot-data.js';

const config = parseConfigText(
  `
stack: meastest
location: eastus
cost: { utilisation: 0.5 }
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
`,
  '/tmp/gpuarb.yaml',
  {},
).config;
const pool = config.pools[0];
const SKU = 'Standard_NC96ads_A100_v4';
const market: Market = {
  currency: 'USD',
  prices: new Map([[spotKey('eastus', SKU), sourced({ regular: 15.2, spot: 3.8 }, 'sample', 'test')]]),
  spot: { bands: new Map(), latestSpotUsd: new Map() },
  usdRate: sourced(1, 'config', 'USD'),
  notes: [],
};

const loadtest = (over: Partial<MeasuredThroughput> = {}): MeasuredThroughput => ({
  kind: 'loadtest',
  basis: 'capacity',
  outputTokensPerSecond: 400,
  inputTokensPerSecond: 100,
  simulated: false,
  engine: 'vllm',
  sku: SKU,
  at: '2026-12-03T10:00:00.000Z',
  detail: 'test run',
  ...over,
});

describe('measured throughput from metering', () => {
  it('is GPU tokens ÷ replica-seconds', () => {
    // 2 replicas × 10 h = 20 replica-hours = 72,000 replica-seconds;
    // 7,200,000 output tokens / 72,000 s = 100 tok/s; 1,440,000 input / 72,000 = 20 tok/s.
    const m = meteredThroughput({
      gpuCompletionTokens: 7_200_000,
      gpuPromptTokens: 1_440_000,
      replicaHours: 20,
      simulated: false,
      engine: 'vllm',
      sku: SKU,
      at: '2026-12-03T12:00:00.000Z',
      window: '2026-11-27…2026-12-03',
    });
    expect(m).toMatchObject({ kind: 'metering', basis: 'served', outputTokensPerSecond: 100, inputTokensPerSecond: 20 });
    expect(m?.detail).toMatch(/7200000 output and 1440000 input tokens .* ÷ 20\.00 replica-hours/);
  });

  it('gives no figure without hours or without tokens (never a division by zero, never 0 tok/s)', () => {
    const base = { gpuPromptTokens: 0, simulated: false, engine: 'vllm', sku: SKU, at: 'x', window: 'w' };
    expect(meteredThroughput({ ...base, gpuCompletionTokens: 1000, replicaHours: 0 })).toBeNull();
    expect(meteredThroughput({ ...base, gpuCompletionTokens: 0, replicaHours: 5 })).toBeNull();
  });

  it('a served rate is used as is: utilisation is not applied on top', () => {
    const served: MeasuredThroughput = {
      ...loadtest(),
      kind: 'metering',
      basis: 'served',
      outputTokensPerSecond: 100,
      inputTokensPerSecond: 20,
    };
    const r = evaluatePool(config, pool, market, {}, [served, loadtest()]);
    expect(r.inputs.throughput).toMatchObject({ source: 'measured', value: { outputTokensPerSecond: 100 } });
    expect(r.inputs.utilisation).toMatchObject({ value: 1, source: 'measured' });
    // cost/h = 15.20 + 3.80 = 19.00; tokens/h = 100 × 2 replicas × 3600 × 1 = 720,000
    // $/1M output = 19 / 720,000 × 1e6 = 26.3889
    expect(r.figures.outputTokensPerHour).toBe(720_000);
    expect(r.figures.costPerMillionOutput).toBeCloseTo(26.3889, 4);
  });
});

describe('measured → cited → none', () => {
  it('a load-test record on the pool SKU beats the cited row, with utilisation applied', () => {
    const r = evaluatePool(config, pool, market, {}, [loadtest()]);
    expect(r.inputs.throughput.source).toBe('measured');
    expect(r.inputs.throughput.detail).toMatch(/^load test, vllm on Standard_NC96ads_A100_v4: test run/);
    expect(r.inputs.utilisation).toMatchObject({ value: 0.5, source: 'assumed' });
    // tokens/h = 400 × 2 × 3600 × 0.5 = 1,440,000; $/1M output = 19 / 1.44 = 13.1944
    expect(r.figures.costPerMillionOutput).toBeCloseTo(13.1944, 4);
  });

  it('the newest load test wins when there are several', () => {
    const older = loadtest({ outputTokensPerSecond: 50, at: '2026-11-01T00:00:00.000Z' });
    const r = evaluatePool(config, pool, market, {}, [older, loadtest()]);
    expect(r.inputs.throughput.value?.outputTokensPerSecond).toBe(400);
  });

  it('a simulated measurement is shown, labelled, and never used: the cited row is', () => {
    const sim = loadtest({ simulated: true, engine: 'sim', outputTokensPerSecond: 5000 });
    const r = evaluatePool(config, pool, market, {}, [sim]);
    expect(r.inputs.throughput.source).toBe('cited');
    expect(r.inputs.throughput.value?.outputTokensPerSecond).toBe(99.54);
    expect(r.inputs.measuredThroughput).toEqual([sim]);
    expect(r.notes).toContain(
      'llama: the loadtest figure (5000 output tok/s per replica) was measured on the sim engine: shown as simulated, not used for a cost per token',
    );
    // The cited arithmetic of cost-local.test.ts, untouched by the simulated 5000 tok/s.
    expect(r.figures.costPerMillionOutput).toBeCloseTo(53.0217, 4);
  });

  it('a simulated measurement and no cited row: no cost per token at all', () => {
    const phi = { ...pool, name: 'phi', model: 'phi3-mini', gpu: undefined, sku: 'Standard_NC4as_T4_v3' };
    const sim = loadtest({ simulated: true, engine: 'sim', sku: 'Standard_NC4as_T4_v3' });
    const r = evaluatePool(config, phi, market, {}, [sim]);
    expect(r.inputs.throughput.value).toBeNull();
    expect(r.figures.costPerMillionOutput).toBeNull();
  });

  it('a measurement on another SKU says nothing about this one', () => {
    const r = evaluatePool(config, pool, market, {}, [loadtest({ sku: 'Standard_NC40ads_H100_v5' })]);
    expect(r.inputs.throughput.source).toBe('cited');
  });
});
