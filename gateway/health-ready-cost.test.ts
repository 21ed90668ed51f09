// /health/ready is open (probes carry no key): a stranger calling it in a loop must not turn each
// call into a Cosmos query. Calls within READY_CACHE_MS share one readiness check.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../testkit/gateway.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(); // registry cacheMs 0: without the health cache every call reads Cosmos
});
afterAll(async () => {
  await h?.stop();
});

it('100 calls, concurrent and one after another, cost at most two registry reads', async () => {
  const registry = h.gateway.ctx.registry;
  const refresh = registry.refresh.bind(registry);
  let reads = 0;
  registry.refresh = () => {
    reads++;
    return refresh();
  };
  const started = Date.now();
  const statuses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${h.url}/health/ready`).then((r) => r.status)));
  for (let i = 0; i < 50; i++) statuses.push((await fetch(`${h.url}/health/ready`)).status);
  expect(statuses.every((s) => s === 503)).toBe(true); // no replica registered: the answer itself is unchanged
  // A slow machine may cross one cache boundary during the loop.
  expect(reads).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1_000) + 1);
  expect(reads).toBeLessThanOrEqual(2);
});
