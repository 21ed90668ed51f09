import { describe, expect, it } from 'vitest';
import { diffOwned, sameValue } from './diff.js';
import { UNKNOWN, resolveRefs } from './refs.js';
import { criticalPathMs, topoSort } from './graph.js';
import { isRetryable, withRetry } from './retry.js';
import { generateSecret } from './secrets.js';
import { AzureError } from '../core/errors.js';
import type { DesiredResource } from './types.js';

describe('owned-field diff', () => {
  it('ignores server-set fields and compares ids, locations and SKU names case-insensitively', () => {
    const desired = {
      location: 'eastus',
      sku: { name: 'Standard_NC4as_T4_v3' },
      properties: { subnet: { id: '/subscriptions/A/resourceGroups/RG/x' } },
    };
    const actual = {
      location: 'East US',
      sku: { name: 'standard_nc4as_t4_v3', tier: 'Standard' },
      etag: 'x',
      properties: { provisioningState: 'Succeeded', subnet: { id: '/subscriptions/a/resourcegroups/rg/x' } },
    };
    expect(diffOwned(desired, actual, ['location', 'sku.name', 'properties.subnet'])).toEqual([]);
  });

  it('reports field-level changes, and only for owned paths', () => {
    const changes = diffOwned({ properties: { a: 1, b: 2 } }, { properties: { a: 1, b: 3 } }, ['properties.b', 'properties.c']);
    expect(changes).toEqual([{ path: 'properties.b', from: 3, to: 2 }]);
    expect(diffOwned({ properties: { a: 1 } }, { properties: { a: 2 } }, [])).toEqual([]);
  });

  it('matches arrays of named items by name, whatever the order ARM returns', () => {
    const d = [
      { name: 'a', properties: { x: 1 } },
      { name: 'b', properties: { x: 2 } },
    ];
    const a = [
      { name: 'B', id: '/x/b', properties: { x: 2, y: 0 } },
      { name: 'a', id: '/x/a', properties: { x: 1 } },
    ];
    expect(sameValue(d, a)).toBe(true);
    expect(sameValue(d, a.slice(0, 1))).toBe(false);
  });

  it('looks tags up case-insensitively and compares policy XML with whitespace normalised', () => {
    expect(diffOwned({ tags: { 'Cost-Center': 'ml' } }, { tags: { 'cost-center': 'ml' } }, ['tags.Cost-Center'])).toEqual([]);
    const xml = '<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>';
    expect(sameValue(xml, '<policies><inbound><base /></inbound></policies>', 'value')).toBe(true);
  });

  it('flags changes Azure cannot make in place', () => {
    const c = diffOwned(
      { properties: { priority: 'Spot' } },
      { properties: { priority: 'Regular' } },
      ['properties.priority'],
      ['properties.priority'],
    );
    expect(c[0].createOnly).toBe(true);
  });
});

describe('refs', () => {
  it('resolve from current state, with prefix/suffix, or stay unknown', () => {
    const states = new Map<string, unknown>([['/x/id', { properties: { clientId: 'abc' } }]]);
    const lookup = (id: string) => states.get(id.toLowerCase());
    expect(resolveRefs({ a: { $ref: { id: '/X/id', path: 'properties.clientId', prefix: 'c=' } } }, lookup)).toEqual({ a: 'c=abc' });
    expect(resolveRefs({ $ref: { id: '/y', path: 'p' } }, lookup)).toBe(UNKNOWN);
    const tpl = {
      $template: { text: 'id {{C}}', vars: { C: { $ref: { id: '/x/id', path: 'properties.clientId' } } }, encoding: 'base64' as const },
    };
    expect(Buffer.from(resolveRefs(tpl, lookup) as string, 'base64').toString()).toBe('id abc');
  });
});

describe('graph helpers', () => {
  const r = (id: string, dependsOn: string[] = []): DesiredResource => ({
    id,
    type: 't',
    apiVersion: 'v',
    body: {},
    dependsOn,
    owned: [],
    label: id,
  });
  it('sorts topologically and rejects cycles and missing dependencies', () => {
    expect(topoSort([r('b', ['a']), r('a')]).map((x) => x.id)).toEqual(['a', 'b']);
    expect(() => topoSort([r('a', ['b']), r('b', ['a'])])).toThrow(/cycle/);
    expect(() => topoSort([r('a', ['zz'])])).toThrow(/not in the graph/);
  });
  it('computes the critical path as the longest chain of durations', () => {
    const g = [r('a'), r('b', ['a']), r('c', ['a']), r('d', ['b', 'c'])];
    const ms: Record<string, number> = { a: 10, b: 50, c: 5, d: 1 };
    expect(criticalPathMs(g, (x) => ms[x.id])).toBe(61);
  });
});

describe('retry', () => {
  it('retries throttling, 5xx and failed operations, never quota or bad requests', () => {
    const az = (code: string, status?: number) => new AzureError('x', { armCode: code, status });
    expect(isRetryable(az('TooManyRequests', 429))).toBe(true);
    expect(isRetryable(az('InternalServerError', 500))).toBe(true);
    expect(isRetryable(az('OperationPreempted'))).toBe(true);
    expect(isRetryable(az('QuotaExceeded', 409))).toBe(false);
    expect(isRetryable(az('InvalidRequestContent', 400))).toBe(false);
  });
  it('backs off until success, and gives up after the attempts', async () => {
    let n = 0;
    const v = await withRetry(
      async () => (++n < 3 ? Promise.reject(new AzureError('x', { armCode: 'ServiceUnavailable', status: 503 })) : 'ok'),
      { attempts: 4, baseMs: 1, capMs: 2 },
    );
    expect([v, n]).toEqual(['ok', 3]);
    await expect(
      withRetry(async () => Promise.reject(new AzureError('x', { armCode: 'E', status: 500 })), { attempts: 2, baseMs: 1, capMs: 1 }),
    ).rejects.toThrow('x');
  });
});

describe('secrets', () => {
  it('are strong random keys and ed25519 key pairs in OpenSSH form', () => {
    const a = generateSecret('random', 'c');
    expect(a.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecret('random', 'c').value).not.toBe(a.value);
    const ssh = generateSecret('ssh-ed25519', 'gpuarb-demo');
    expect(ssh.value).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(ssh.tags?.['ssh-public-key']).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/=]+ gpuarb-demo$/);
  });
});
