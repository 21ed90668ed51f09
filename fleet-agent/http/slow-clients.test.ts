// Slowloris against an agent (a caller inside the VNet, or a gateway bug): stalled and trickled
// bodies are cut by the agent's own timeouts, not node's defaults (300 s, none for a stalled
// body), and a caller without the key is refused and disconnected before its body is read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../../testkit/agent.js';
import { head, open } from '../../testkit/raw-socket.js';

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent({ limits: { receiveMs: 3_000, headersMs: 1_000, bodyIdleMs: 500 } });
});
afterAll(() => agent?.stop());

describe('an agent', () => {
  it('cuts an authorized body that stalls: 408, connection closed', async () => {
    const c = await open(agent.url, `${head({ authorization: `Bearer ${agent.key}` }, 100_000)}{"model":`);
    const closedMs = await c.closed(2_500);
    expect(c.text()).toMatch(/^HTTP\/1\.1 408/);
    expect(closedMs).toBeLessThan(2_500);
  });
  it('cuts a body trickled within its own receive timeout (not node’s 300 s default)', async () => {
    const c = await open(agent.url, `${head({ authorization: `Bearer ${agent.key}` }, 100_000)}{"model":`);
    const drip = setInterval(() => c.socket.writable && c.socket.write(' '), 100);
    try {
      expect(await c.closed(6_000)).toBeDefined();
    } finally {
      clearInterval(drip);
    }
  });
  it('refuses a caller without the key before reading their body', async () => {
    const c = await open(agent.url, `${head({}, 100_000)}{"model":`);
    expect(await c.closed(1_000)).toBeLessThan(1_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 401/);
  });
});
