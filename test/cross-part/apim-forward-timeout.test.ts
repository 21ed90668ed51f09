// The forward-request timeout as API Management applies it: it bounds the wait for the backend's
// response headers, and the network drops a connection idle for longer than 240 s, so a larger
// policy value is not honoured; a stream whose bytes keep flowing is never cut. The idle limit is
// shrunk (idleDropMs) so the test runs in a second; the platform's policy is the one under test.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPolicyXml, FORWARD_TIMEOUT_SECONDS } from '../../src/templates/apim-policy.js';
import { loadOrCreateTls } from '../../emulator/core/certs.js';
import type { ApimModel } from '../../emulator/runtime/apim/model.js';
import { FORWARD_IDLE_LIMIT_MS, startApimProxy, type ApimProxy } from '../../emulator/runtime/apim/proxy.js';

const tls = loadOrCreateTls(mkdtempSync(join(tmpdir(), 'apim-timeout-')));
const IDLE_MS = 300;
let backend: Server;
let proxy: ApimProxy;
const timers = new Set<NodeJS.Timeout>();

async function call(path: string): Promise<{ status: number; body: string; ms: number }> {
  const { request } = await import('node:https');
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${proxy.url}${path}`, { headers: { 'api-key': 'k1' }, ca: tls.caCertPem, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('client timeout: the proxy never answered')));
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  backend = createServer((req, res) => {
    if (req.url?.startsWith('/slow-headers')) {
      timers.add(setTimeout(() => res.end('late'), 2000)); // headers only after 2 s
      return;
    }
    // A stream ten times longer than the idle limit, with a chunk every IDLE_MS / 3.
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let n = 0;
    const tick = setInterval(() => {
      res.write(`data: ${n++}\n\n`);
      if (n === 30) {
        clearInterval(tick);
        res.end('data: [DONE]\n\n');
      }
    }, IDLE_MS / 3);
    timers.add(tick);
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  const api = { name: 'gpuarb', path: 'v1', subscriptionRequired: true, keyHeader: 'api-key', keyQuery: 'subscription-key' };
  const model: ApimModel = {
    apis: [
      { ...api, policyXml: apiPolicyXml() },
      {
        ...api,
        name: 'legacy',
        path: 'legacy',
        policyXml:
          '<policies><inbound><set-backend-service backend-id="gateway" /></inbound><backend><forward-request timeout="600" /></backend></policies>',
      },
    ],
    products: [],
    subscriptions: [{ sid: 's1', displayName: 'a', scope: '/apis', primaryKey: 'k1', secondaryKey: 'k2', state: 'active' }],
    namedValues: { 'backend-key': 'secret' },
    backends: { gateway: { url: backendUrl } },
  };
  proxy = await startApimProxy({ model: () => model, tls: { key: tls.keyPem, cert: tls.certPem }, idleDropMs: IDLE_MS });
});

afterAll(async () => {
  for (const t of timers) clearTimeout(t);
  await proxy?.stop();
  backend?.closeAllConnections();
  await new Promise<void>((r) => backend?.close(() => r()));
});

describe('forward-request timeout', () => {
  it('the platform asks for no more than API Management honours', () => {
    expect(FORWARD_TIMEOUT_SECONDS * 1000).toBeLessThanOrEqual(FORWARD_IDLE_LIMIT_MS);
    expect(apiPolicyXml()).toMatch(/<forward-request timeout="(\d+)"/);
    const seconds = Number(/<forward-request timeout="(\d+)"/.exec(apiPolicyXml())?.[1]);
    expect(seconds).toBeLessThanOrEqual(240);
  });

  it('a timeout above the idle limit is not honoured: the wait for headers ends at the limit', async () => {
    const r = await call('/legacy/slow-headers');
    expect(r.status).toBe(500);
    expect(r.ms).toBeGreaterThanOrEqual(IDLE_MS - 20);
    expect(r.ms).toBeLessThan(1500); // well before the backend's 2 s, let alone the policy's 600 s
  });

  it('a stream longer than the timeout and the idle limit arrives whole while bytes keep flowing', async () => {
    const r = await call('/v1/stream');
    expect(r.status).toBe(200);
    expect(r.ms).toBeGreaterThan(IDLE_MS * 3);
    expect(r.body.split('\n\n').filter(Boolean)).toHaveLength(31);
    expect(r.body.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
