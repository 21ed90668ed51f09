// The attack: anyone who can reach the gateway calls the open /health/* endpoints (no backend
// key needed) to learn which models run, how many replicas serve them and why Cosmos fails.
// Their answers must say only whether the gateway is ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCosmos, type TestCosmos } from '../testkit/cosmos.js';
import { startHarness, type Harness } from '../testkit/gateway.js';
import { waitFor } from '../testkit/wait.js';
import { required } from '../lib/required.js';
import { READY_CACHE_MS } from './health.js';

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
    await required(cosmos, 'the test Cosmos').stop();
    cosmos = undefined;
    // Readiness answers from a result up to READY_CACHE_MS old: the outage shows once it expires.
    const r = await waitFor(
      '/health/ready to say not ready',
      async () => {
        const answer = await fetch(`${h.url}/health/ready`);
        return answer.status === 503 ? answer : undefined;
      },
      READY_CACHE_MS * 10,
    );
    expect(await r.json()).toEqual({ status: 'not ready' });
  });
});
