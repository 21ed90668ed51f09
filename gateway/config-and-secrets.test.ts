// Config validation (every error names its field; env overrides) and secret sources (a watched
// file picks up a rotation; both current and previous values are accepted).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigError, loadGatewayConfigFile, parseGatewayConfig } from './config-load.js';
import { fileSecret, matchesAny } from './secrets.js';

const minimal = {
  cosmos: { endpoint: 'https://127.0.0.1:8081', key: 'k' },
  secrets: { backend: { kind: 'static', current: 'a' }, internalServiceKey: { kind: 'static', current: 'b' } },
  models: [{ name: 'm', contextTokens: 10, maxOutputTokens: 5, cost: { inputPerMillion: 1, outputPerMillion: 1 } }],
};

describe('gateway config', () => {
  it('fills defaults', () => {
    const cfg = parseGatewayConfig(minimal);
    expect(cfg.cache).toMatchObject({ enabled: true, scope: 'per-customer', ttlSeconds: 3600 });
    expect(cfg.registry.cacheMs).toBe(2000);
    expect(cfg.auto.names).toEqual(['auto']);
  });
  it('reports every problem at once, each naming its field', () => {
    const bad = {
      ...minimal,
      cosmos: { endpoint: 'not a url' },
      cache: { scope: 'everyone' },
      registry: { cacheMs: 5000 },
      models: [{ ...minimal.models[0], fallback: ['ghost'] }],
      extra: 1,
    };
    try {
      parseGatewayConfig(bad);
      expect.unreachable();
    } catch (e) {
      const msg = (e as ConfigError).message;
      for (const field of ['cosmos.endpoint', 'cache.scope', 'registry.cacheMs']) expect(msg).toContain(field);
      // No key is no error: in Azure the managed identity authenticates to Cosmos.
      expect(msg).not.toContain('cosmos.key');
      expect(msg).toMatch(/extra/);
    }
    expect(() => parseGatewayConfig({ ...minimal, models: [{ ...minimal.models[0], fallback: ['ghost'] }] })).toThrow(
      /models\.0\.fallback\.0: unknown model "ghost"/,
    );
    expect(() => parseGatewayConfig({ ...minimal, auto: { codePatterns: ['('] } })).toThrow(/auto\.codePatterns\.0/);
  });
  it('applies GPUARB_GATEWAY_* overrides and checks their types', () => {
    const cfg = parseGatewayConfig(minimal, {
      GPUARB_GATEWAY_PORT: '9090',
      GPUARB_GATEWAY_CACHE_SCOPE: 'global',
      GPUARB_GATEWAY_BACKEND_SECRET: 'new',
      GPUARB_GATEWAY_BACKEND_SECRET_PREVIOUS: 'old',
    });
    expect(cfg.listen.port).toBe(9090);
    expect(cfg.cache.scope).toBe('global');
    expect(cfg.secrets.backend).toEqual({ kind: 'static', current: 'new', previous: 'old' });
    expect(() => parseGatewayConfig(minimal, { GPUARB_GATEWAY_PORT: 'eighty' })).toThrow(/GPUARB_GATEWAY_PORT: expected an integer/);
  });
  it('names the file when it cannot be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cfg-'));
    expect(() => loadGatewayConfigFile(join(dir, 'missing.json'), {})).toThrow(/missing\.json/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => loadGatewayConfigFile(join(dir, 'bad.json'), {})).toThrow(/not valid JSON/);
  });
});

describe('secrets', () => {
  it('a watched file picks up a rotation; current and previous both match', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gw-sec-')), 'backend');
    writeFileSync(file, 'v1\n');
    const src = fileSecret(file, 0);
    expect(await src.values()).toEqual(['v1']);
    writeFileSync(file, 'v2\nv1\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000)); // a distinct mtime even on coarse clocks
    const values = await src.values();
    expect(values).toEqual(['v2', 'v1']);
    expect(matchesAny('v1', values)).toBe(true);
    expect(matchesAny('v2', values)).toBe(true);
    expect(matchesAny('v3', values)).toBe(false);
    expect(matchesAny('', values)).toBe(false);
  });
});
