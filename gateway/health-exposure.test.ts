// The attack: anyone who can reach the gateway calls the open /health/* endpoints (no backend
// key needed) to learn which models run, how many replicas serve them and why Cosmos fails.
// Their answers must say only whether the gateway is ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCosmos, type TestCosmos } from '../testkit/cosmos.js';
import { startHarness, type Harness } from '../testkit/gateway.js';

let h: Harness;
let cosmos: TestCosmos | undefined;
beforeAll(async () => {
  cosmos = await startTestCosmos();
  h = await startHarness({ cosmos });
  await h.register({ id: 'vm-secret-0', model: 'mixtral-8x7b', address: 'http://127.0.0.1:9' });
});
afterAll(async () => {
  await h?.stop();
  await cosmos?.stop();
});

describe('the open health endpoints reveal nothing', () => {
  it.each(['live', 'startup', 'ready'])('/health/%s answers only a status', async (which) => {
    const r = await fetch(`${h.url}/health/${which}`);
    const text = await r.text();
    expect(r.status).toBe(200);
    expect(JSON.parse(text)).toEqual({ status: 'ok' });
    expect(text).not.toMatch(/mixtral|replica|cosmos/i);
  });

  it('a registry outage answers "not ready" without the error text', async () => {
    await cosmos!.stop();
    cosmos = undefined;
    const r = await fetch(`${h.url}/health/ready`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'not ready' });
  });
});
