// A customer filling the gateway's memory through the response cache: many distinct deterministic
// requests whose answers are large. The in-process layer in front of Cosmos must stay within its
// byte bound whatever the answers' sizes, not only within its entry count.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, INTERNAL_KEY, type Harness } from '../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../testkit/scripted-agent.js';
import type { CachedAnswer } from './response-cache.js';
import { waitFor } from '../testkit/wait.js';

const MEMORY_BYTES = 256 * 1024;
let h: Harness;
let agent: ScriptedAgent;

beforeAll(async () => {
  // The default entry count (10 000) stays: the attack is about bytes, not entries.
  h = await startHarness({ config: { cache: { enabled: true, scope: 'per-customer', ttlSeconds: 600, memoryBytes: MEMORY_BYTES } } });
  agent = await startScriptedAgent('big', INTERNAL_KEY, { words: 4_000 }); // ~40 KB per answer
  await h.register({ id: 'vm-big', model: 'phi3-mini', address: agent.url });
});
afterAll(async () => {
  await h?.stop();
  await agent?.stop();
});

/** Bytes of answer bodies the memory layer holds, read from the cache's own map. */
function heldBodyBytes(): number {
  // biome-ignore lint/complexity/useLiteralKeys: the test reads the cache's private memory layer
  const memory = (h.gateway.ctx.cache?.['memory'] ?? new Map()) as Map<string, CachedAnswer>;
  let bytes = 0;
  for (const e of memory.values()) bytes += e.body.length;
  return bytes;
}

it('30 distinct 40 KB answers: the memory layer holds at most its byte bound', async () => {
  for (let i = 0; i < 30; i++) {
    const res = await h.post('/v1/chat/completions', {
      model: 'phi3-mini',
      temperature: 0,
      messages: [{ role: 'user', content: `fill ${i}` }],
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }
  expect(agent.seen.length).toBe(30);
  await waitFor('the cache stores to settle', () => h.gateway.ctx.inFlight.count === 0, 5_000, 20);
  expect(heldBodyBytes()).toBeGreaterThan(0); // it still caches in memory
  expect(heldBodyBytes()).toBeLessThanOrEqual(MEMORY_BYTES);
  // The newest answer is served from memory.
  const again = await h.post('/v1/chat/completions', {
    model: 'phi3-mini',
    temperature: 0,
    messages: [{ role: 'user', content: 'fill 29' }],
  });
  expect(again.headers.get('x-gpuarb-cache')).toBe('hit');
});
