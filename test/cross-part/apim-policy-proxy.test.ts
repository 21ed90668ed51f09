// The generated API Management policy (src/templates/apim-policy.ts) as the local cloud's front door
// (emulator/runtime/apim/) enforces it: keys, forwarding headers, rate limit, quota, streaming.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../lib/required.js';
import { apiPolicyXml, productPolicyXml } from '../../src/templates/apim-policy.js';
import { loadOrCreateTls } from '../../emulator/core/certs.js';
import type { ApimModel } from '../../emulator/runtime/apim/model.js';
import { startApimProxy, type ApimProxy } from '../../emulator/runtime/apim/proxy.js';
import { parsePolicy } from '../../emulator/runtime/apim/policy.js';

const tls = loadOrCreateTls(mkdtempSync(join(tmpdir(), 'apim-test-')));
let backend: Server;
let backendUrl: string;
let proxy: ApimProxy;
let model: ApimModel;

const call = (path: string, headers: Record<string, string> = {}) => fetchWithCa(`${proxy.url}${path}`, headers);

// Node's fetch has no per-request CA option; use https.get with the local CA instead.
async function fetchWithCa(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, ca: tls.caCertPem, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  backend = createServer((req, res) => {
    if (req.url?.includes('stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setImmediate(() => res.end('data: [DONE]\n\n'));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, headers: req.headers }));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/api/v1`;
  model = {
    apis: [
      {
        name: 'gpuarb',
        path: 'v1',
        subscriptionRequired: true,
        keyHeader: 'Ocp-Apim-Subscription-Key',
        keyQuery: 'subscription-key',
        policyXml: apiPolicyXml(),
      },
    ],
    products: [
      {
        name: 'standard',
        state: 'published',
        apis: ['gpuarb'],
        policyXml: productPolicyXml({ rateLimit: { calls: 3, period: 60 }, quota: { calls: 100, period: 3600 } }),
      },
      {
        name: 'tiny',
        state: 'published',
        apis: ['gpuarb'],
        policyXml: productPolicyXml({ rateLimit: { calls: 100, period: 60 }, quota: { calls: 1, period: 3600 } }),
      },
    ],
    subscriptions: [
      {
        sid: 's1',
        displayName: 'acme',
        scope: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a/products/standard',
        primaryKey: 'key-acme-primary',
        secondaryKey: 'key-acme-secondary',
        state: 'active',
      },
      { sid: 's2', displayName: 'tinyco', scope: '/products/tiny', primaryKey: 'key-tiny', secondaryKey: 'key-tiny-2', state: 'active' },
      {
        sid: 's3',
        displayName: 'gone',
        scope: '/products/standard',
        primaryKey: 'key-gone',
        secondaryKey: 'key-gone-2',
        state: 'cancelled',
      },
    ],
    namedValues: { 'backend-key': 'backend-secret-value' },
    backends: { gateway: { url: backendUrl } },
  };
  proxy = await startApimProxy({ model: () => model, tls: { key: tls.keyPem, cert: tls.certPem } });
});

afterAll(async () => {
  await proxy?.stop();
  await new Promise<void>((r) => backend?.close(() => r()));
});

describe('local API Management proxy', () => {
  it("refuses a missing, wrong or cancelled key with 401 in API Management's shape", async () => {
    for (const headers of [{}, { 'Ocp-Apim-Subscription-Key': 'nope' }, { 'Ocp-Apim-Subscription-Key': 'key-gone' }] as Record<
      string,
      string
    >[]) {
      const r = await call('/v1/models', headers);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ statusCode: 401, message: expect.stringContaining('Access denied') });
    }
  });

  it('forwards with the backend secret and customer id, and drops the subscription key', async () => {
    const r = await call('/v1/models?x=1', { 'Ocp-Apim-Subscription-Key': 'key-acme-secondary', 'x-gpuarb-customer': 'spoofed' });
    expect(r.status).toBe(200);
    const echoed = JSON.parse(r.body);
    expect(echoed.path).toBe('/api/v1/models?x=1');
    expect(echoed.headers['x-gpuarb-backend-key']).toBe('backend-secret-value');
    expect(echoed.headers['x-gpuarb-customer']).toBe('s1');
    expect(echoed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(echoed.headers['ocp-apim-subscription-key']).toBeUndefined();
  });

  it('names the customer by the subscription id, which no other subscription can share, not its display name', async () => {
    // Display names are free text an operator (or the portal) can set on any subscription: one
    // that copies "acme" must not be billed, cached or limited as acme.
    for (const [sid, key] of [
      ['s5', 'key-twin-real'],
      ['s6', 'key-twin-impostor'],
    ])
      model.subscriptions.push({
        sid,
        displayName: 'twin',
        scope: '/products/standard',
        primaryKey: key,
        secondaryKey: `${key}-2`,
        state: 'active',
      });
    const real = JSON.parse((await call('/v1/models', { 'Ocp-Apim-Subscription-Key': 'key-twin-real' })).body);
    const impostor = JSON.parse((await call('/v1/models', { 'Ocp-Apim-Subscription-Key': 'key-twin-impostor' })).body);
    expect(real.headers['x-gpuarb-customer']).toBe('s5');
    expect(impostor.headers['x-gpuarb-customer']).toBe('s6');
  });

  it('enforces the product rate limit with 429 and Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call('/v1/models', { 'Ocp-Apim-Subscription-Key': 'key-acme-primary' }));
    // One call was used by the previous test (same subscription, 3 per 60 s).
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429, 429]);
    const last = required(answers.at(-1), 'the last answer');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(last.body).message).toMatch(/^Rate limit is exceeded/);
  });

  it('enforces the quota with 403', async () => {
    expect((await call('/v1/models', { 'Ocp-Apim-Subscription-Key': 'key-tiny' })).status).toBe(200);
    const r = await call('/v1/models', { 'Ocp-Apim-Subscription-Key': 'key-tiny' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).message).toMatch(/^Out of call volume quota/);
  });

  it('streams server-sent events through', async () => {
    model.subscriptions.push({
      sid: 's4',
      displayName: 'streamer',
      scope: '/products/standard',
      primaryKey: 'key-stream',
      secondaryKey: 'k',
      state: 'active',
    });
    const r = await call('/v1/stream', { 'Ocp-Apim-Subscription-Key': 'key-stream' });
    expect(r.headers['content-type']).toBe('text/event-stream');
    expect(r.body).toBe('data: one\n\ndata: [DONE]\n\n');
  });
});

describe('policy subset', () => {
  it('parses what gpuarb generates', () => {
    const p = parsePolicy(apiPolicyXml());
    expect(p.inbound.map((s) => s.kind)).toEqual(['base', 'set-backend-service', 'set-header', 'set-header', 'set-header']);
    expect(p.backend).toEqual([{ kind: 'forward-request', timeoutSeconds: 240, bufferResponse: false }]);
  });

  it.each([
    ['<policies><inbound><cache-lookup vary-by-developer="false" /></inbound></policies>', /cache-lookup/],
    ['<policies><inbound><rate-limit-by-key calls="1" renewal-period="1" counter-key="x" /></inbound></policies>', /rate-limit-by-key/],
    ['<policies><inbound><rate-limit calls="0" renewal-period="60" /></inbound></policies>', /positive integer calls/],
    [
      '<policies><inbound><set-header name="a" exists-action="override">' +
        '<value>@(context.Request.Body.As&lt;string&gt;())</value>' +
        '</set-header></inbound></policies>',
      null,
    ],
    ['<notpolicies />', /<policies> root/],
  ])('refuses what it does not enforce: %s', (xml, message) => {
    if (message) expect(() => parsePolicy(xml)).toThrow(message);
    else expect(() => parsePolicy(xml)).not.toThrow(); // expressions are checked when evaluated
  });

  it('refuses unsupported expressions when a request evaluates them', async () => {
    model.apis[0].policyXml = apiPolicyXml().replace('context.RequestId.ToString()', 'context.Request.Body.As&lt;string&gt;()');
    const r = await call('/v1/models', { 'Ocp-Apim-Subscription-Key': 'key-stream' });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body).message).toMatch(/Policy error: policy expression .* is not supported locally/);
    model.apis[0].policyXml = apiPolicyXml();
  });
});
