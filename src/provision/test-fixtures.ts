// The default stack used by tests and the benchmark: the design's three models, parsed through
// the real config schema so defaults are the product's defaults.
import { configSchema, type GpuarbConfigInput } from '../config/schema.js';
import { deriveNames } from '../config/names.js';
import type { GraphInput } from './desired/index.js';

export const TEST_SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

export function testConfigInput(overrides: Partial<GpuarbConfigInput> = {}): GpuarbConfigInput {
  return {
    stack: 'demo',
    location: 'eastus',
    tags: { 'cost-center': 'ml-platform', environment: 'dev' },
    alerts: { email: 'oncall@example.com' },
    pools: [
      {
        name: 'phi3',
        model: 'phi3-mini',
        hfModel: 'microsoft/Phi-3-mini-4k-instruct',
        sku: 'Standard_NC4as_T4_v3',
        capacity: { min: 1, max: 4 },
      },
      {
        name: 'mixtral',
        model: 'mixtral-8x7b',
        hfModel: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
        quantization: 'awq',
        sku: 'Standard_NC48ads_A100_v4',
        spot: { regularBase: 1 },
        capacity: { min: 1, max: 3 },
      },
      {
        name: 'llama70b',
        model: 'llama-3-70b',
        hfModel: 'meta-llama/Meta-Llama-3-70B-Instruct',
        tensorParallel: 4,
        sku: 'Standard_NC96ads_A100_v4',
        capacity: { min: 0, max: 2 },
      },
    ],
    ...overrides,
  };
}

export function defaultTestInput(overrides: Partial<GpuarbConfigInput> = {}, subscriptionId = TEST_SUBSCRIPTION): GraphInput {
  const config = configSchema.parse(testConfigInput(overrides));
  return {
    config,
    subscriptionId,
    names: deriveNames(
      config.stack,
      subscriptionId,
      config.pools.map((p) => p.name),
    ),
    cloudInit: Object.fromEntries(
      config.pools.map((p) => [p.name, `#cloud-config\n# pool ${p.name}, identity {{CLIENT_ID}}, vault {{VAULT_URI}}\n`]),
    ),
  };
}
