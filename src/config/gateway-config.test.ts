import { describe, expect, it } from 'vitest';
import { defaultConfigYaml } from './default-config.js';
import { autoDefault, gatewayConfigForStack, gatewayModels } from './gateway-config.js';
import { parseConfigText } from './load.js';
import { required } from '../../lib/required.js';

describe('stack config → gateway models', () => {
  const { config } = parseConfigText(defaultConfigYaml({ stack: 'demo', location: 'eastus' }), 'gpuarb.yaml');
  const models = gatewayModels(config);

  it('carries aliases, fallback chains, skills and prices of each model', () => {
    const mixtral = required(
      models.find((m) => m.name === 'mixtral-8x7b'),
      'the mixtral-8x7b model',
    );
    expect(mixtral.aliases).toEqual(['gpt-4o-mini']);
    expect(mixtral.fallback).toEqual(['phi3-mini']);
    expect(mixtral.skills.sort()).toEqual(['code', 'math', 'tools']);
    expect(mixtral.cost).toEqual({ inputPerMillion: 0.6, outputPerMillion: 1.8 });
    expect(models.find((m) => m.name === 'phi3-mini')?.skills).toEqual([]);
    expect(models.map((m) => m.name)).toEqual(['phi3-mini', 'mixtral-8x7b', 'llama3-70b']);
  });

  it('uses the configured auto default, resolving an alias', () => {
    expect(autoDefault(config, models)).toBe('phi3-mini');
    expect(autoDefault({ ...config, routing: { ...config.routing, auto: { rules: [], default: 'gpt-4o' } } }, models)).toBe('llama3-70b');
  });
});

describe('the function app setting GPUARB_GATEWAY_CONFIG', () => {
  it('is a valid gateway config (the contract between provisioning and the gateway)', async () => {
    const { GatewayConfigSchema } = await import('../../contracts/gateway-config.js');
    const { config } = parseConfigText(defaultConfigYaml({ stack: 'demo', location: 'eastus' }), 'gpuarb.yaml');
    const input = gatewayConfigForStack(config, {
      cosmosEndpoint: 'https://cosmos-demo.documents.azure.com:443/',
      cosmosDatabase: 'gpuarb',
      vaultUrl: 'https://kv-demo.vault.azure.net/',
      queueEndpoint: 'https://stdemo.queue.core.windows.net/',
      jobsQueue: 'jobs',
    });
    const parsed = GatewayConfigSchema.parse(JSON.parse(JSON.stringify(input)));
    expect(parsed.cosmos.key).toBeUndefined();
    expect(parsed.storage).toEqual({ queueEndpoint: 'https://stdemo.queue.core.windows.net/', jobsQueue: 'jobs' });
    expect(parsed.secrets.internalServiceKey).toMatchObject({ kind: 'keyvault', name: 'internal-service-key' });
    expect(parsed.models.map((m) => m.name)).toEqual(['phi3-mini', 'mixtral-8x7b', 'llama3-70b']);
  });
});
