import { describe, expect, it } from 'vitest';
import { defaultConfigYaml } from './default-config.js';
import { ConfigError, parseConfigText } from './load.js';
import { deriveNames, checkNames } from './names.js';

const base = defaultConfigYaml({ stack: 'demo', location: 'eastus' });
const issuesOf = (text: string, env: Record<string, string> = {}) => {
  try {
    parseConfigText(text, 'gpuarb.yaml', env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
};
const minimal = (extra = '') =>
  `stack: demo\npools:\n  - name: p1\n    model: m1\n    engine: sim\n    sku: Standard_NC4as_T4_v3\n${extra}`;

describe('config loader', () => {
  it('accepts the default platform and fills defaults', () => {
    const { config } = parseConfigText(base, 'gpuarb.yaml');
    expect(config.pools.map((p) => p.sku)).toEqual(['Standard_NC4as_T4_v3', 'Standard_NC24ads_A100_v4', 'Standard_NC96ads_A100_v4']);
    expect(config.gateway.cache).toEqual({ enabled: true, ttl: 3600, scope: 'per-customer' });
    expect(config.pools[0].spot.evictionPolicy).toBe('Delete');
    expect(config.pools[0].spot.maxPrice).toBe(-1);
  });

  it('reports an unknown key with its position and the nearest valid key', () => {
    const issues = issuesOf(minimal('    capacty: { min: 1 }\n'));
    expect(issues).toEqual([{ path: 'pools[0].capacty', message: 'unknown key', suggestion: 'capacity', line: 7, column: 5 }]);
  });

  it('reports wrong types and out-of-range values, every one at once', () => {
    const issues = issuesOf(
      `stack: demo\nlocation: East US\npools:\n` +
        `  - name: p1\n    model: m1\n    sku: Standard_X\n    tensorParallel: "two"\n` +
        `    capacity: { min: -1, max: 2000 }\n    spot: { maxPrice: 0 }\n`,
    );
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      'location',
      'pools[0].capacity.max',
      'pools[0].capacity.min',
      'pools[0].spot.maxPrice',
      'pools[0].tensorParallel',
    ]);
    expect(issues.find((i) => i.path === 'location')).toMatchObject({ line: 2, column: 11 });
  });

  it('reports cross-field problems: colliding pool names, min above max, unknown routing targets', () => {
    const text =
      `stack: demo\npools:\n` +
      `  - { name: p1, model: m1, engine: sim, sku: Standard_NC4as_T4_v3, capacity: { min: 3, max: 2 } }\n` +
      `  - { name: p1, model: m2, engine: sim, sku: Standard_NC4as_T4_v3 }\n` +
      `routing:\n  aliases: { fast: nope }\n  fallback: { m1: [m1] }\n`;
    const messages = issuesOf(text).map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pools\[1\]\.name: pool name "p1" is used twice/),
        expect.stringMatching(/^pools\[0\]\.capacity\.min: min \(3\) is above max \(2\)/),
        expect.stringMatching(/^routing\.aliases\.fast: alias "fast" points at "nope"/),
        expect.stringMatching(/^routing\.fallback\.m1\[0\]: "m1" cannot fall back to itself/),
      ]),
    );
  });

  it('rejects bad stack names and bad engine settings', () => {
    expect(issuesOf(minimal().replace('stack: demo', 'stack: Demo_Stack'))[0].path).toBe('stack');
    expect(issuesOf(minimal().replace('engine: sim', 'engine: vllm')).map((i) => i.path)).toEqual(['pools[0].hfModel']);
  });

  it('applies environment overrides before validating', () => {
    const { config } = parseConfigText(minimal(), 'gpuarb.yaml', {
      GPUARB_STACK: 'other-stack',
      AZURE_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555',
    });
    expect(config.stack).toBe('other-stack');
    expect(config.subscription).toBe('11111111-2222-3333-4444-555555555555');
    expect(issuesOf(minimal(), { AZURE_SUBSCRIPTION_ID: 'not-a-guid' })[0].path).toBe('subscription');
  });

  it('reports YAML syntax errors with their line', () => {
    const issues = issuesOf('stack: demo\npools: [\n');
    expect(issues[0].line).toBeGreaterThan(0);
  });
});

describe('derived names', () => {
  it('follow Azure rules for the longest allowed stack name and stay stable', () => {
    const names = deriveNames('a-very-long-stack-nm', '11111111-2222-3333-4444-555555555555', ['llama70b']);
    expect(checkNames(names)).toEqual([]);
    expect(names.storage).toMatch(/^[a-z0-9]{3,24}$/);
    expect(names.keyVault.length).toBeLessThanOrEqual(24);
    expect(deriveNames('a-very-long-stack-nm', '11111111-2222-3333-4444-555555555555', [])).toMatchObject({
      storage: names.storage,
      keyVault: names.keyVault,
    });
    expect(deriveNames('a-very-long-stack-nm', '99999999-2222-3333-4444-555555555555', []).storage).not.toBe(names.storage);
  });

  it('catches a name that breaks its rule', () => {
    const names = deriveNames('demo', '11111111-2222-3333-4444-555555555555', []);
    expect(checkNames({ ...names, storage: 'Has-Upper' })).toEqual([
      'storage name "Has-Upper" may contain only lowercase letters and digits only',
    ]);
  });
});
