// Slowloris against the standalone gateway: clients that trickle headers or a body,
// or open connections and never authenticate. A stranger must be refused before their body is
// read, stalled and trickled requests must be cut by the host's own timeouts, and strangers may
// not hold more than a capped number of connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, INTERNAL_KEY, type Harness } from '../testkit/gateway.js';
import { head, open } from '../testkit/raw-socket.js';
import { startScriptedAgent, type ScriptedAgent } from '../testkit/scripted-agent.js';

const LIMITS = { receiveMs: 3_000, headersMs: 1_000, bodyIdleMs: 500, maxUnauthenticatedConnections: 5 };
let h: Harness;
let upstream: ScriptedAgent;

beforeAll(async () => {
  h = await startHarness({ config: { limits: { maxBodyBytes: 1_048_576, ...LIMITS } } });
  upstream = await startScriptedAgent('up', INTERNAL_KEY);
  await h.register({ id: 'vm-up', model: 'phi3-mini', address: upstream.url });
});
afterAll(async () => {
  await h?.stop();
  await upstream?.stop();
});

describe('the standalone gateway', () => {
  it('refuses a stranger at once, without waiting for the body they trickle', async () => {
    const c = await open(h.url, `${head({}, 100_000)}{"model":`);
    const closedMs = await c.closed(2_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 401/);
    expect(closedMs).toBeLessThan(2_000); // and the connection is not kept for the rest of the body
  });
  it('cuts an authenticated body that stalls: 408, connection closed', async () => {
    const c = await open(h.url, `${head(h.apim(), 100_000)}{"model":`);
    const closedMs = await c.closed(2_500);
    expect(c.text()).toMatch(/^HTTP\/1\.1 408/);
    expect(c.text()).toContain('request_timeout');
    expect(closedMs).toBeLessThan(2_500);
  });
  it('cuts an authenticated body trickled byte by byte within the receive timeout', async () => {
    const c = await open(h.url, `${head(h.apim(), 100_000)}{"model":`);
    const drip = setInterval(() => c.socket.writable && c.socket.write(' '), 100);
    try {
      const closedMs = await c.closed(LIMITS.receiveMs + 3_000);
      expect(closedMs).toBeDefined();
      expect(closedMs).toBeLessThan(LIMITS.receiveMs + 3_000);
    } finally {
      clearInterval(drip);
    }
  });
  it('cuts a client that trickles its headers', async () => {
    const c = await open(h.url, 'POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\n');
    expect(await c.closed(LIMITS.headersMs + 2_500)).toBeDefined();
  });
  it('caps connections that have not authenticated; the cap frees when they go', async () => {
    const strangers = await Promise.all(Array.from({ length: LIMITS.maxUnauthenticatedConnections }, () => open(h.url, 'GET /v1/mo')));
    const over = await open(h.url, 'GET /v1/mo');
    expect(await over.closed(500)).toBeDefined(); // closed at once
    for (const s of strangers) s.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const res = await h.post('/v1/chat/completions', { model: 'phi3-mini', messages: [{ role: 'user', content: 'after the storm' }] });
    expect(res.status).toBe(200);
  });
});
