// The response cache end to end: hits, misses, bypass, streamed replays, TTL from the stored
// expiry (the local Cosmos server never deletes), scopes, and never a wrong answer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, INTERNAL_KEY, type Harness } from '../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../testkit/scripted-agent.js';
import { startTestCosmos, type TestCosmos } from '../testkit/cosmos.js';
import { required } from '../lib/required.js';

let cosmos: TestCosmos;
let h: Harness;
let phi: ScriptedAgent;
let mix: ScriptedAgent;
const extra: Harness[] = [];

beforeAll(async () => {
  cosmos = await startTestCosmos();
  h = await startHarness({ cosmos, config: { cache: { scope: 'per-customer', ttlSeconds: 3600, memoryEntries: 0, enabled: true } } });
  phi = await startScriptedAgent('phi', INTERNAL_KEY);
  mix = await startScriptedAgent('mix', INTERNAL_KEY);
  await h.register({ id: 'phi-1', model: 'phi3-mini', address: phi.url });
  await h.register({ id: 'mix-1', model: 'mixtral-8x7b', address: mix.url });
});
afterEach(async () => {
  for (const g of extra.splice(0)) await g.stop();
});
afterAll(async () => {
  await h?.stop();
  await phi?.stop();
  await mix?.stop();
  await cosmos?.stop();
});

/** Counts point reads on a gateway's (real) cache container from now on. */
function countCosmosReads(g: Harness): () => number {
  // biome-ignore lint/complexity/useLiteralKeys: the test reads the cache's private container
  const container = required(g.gateway.ctx.cache, 'the response cache')['container'];
  const item = container.item.bind(container);
  let reads = 0;
  container.item = (...args: Parameters<typeof item>) => {
    const it = item(...args);
    const read = it.read.bind(it);
    it.read = ((...a: Parameters<typeof read>) => {
      reads++;
      return read(...a);
    }) as typeof it.read;
    return it;
  };
  return () => reads;
}

let n = 0;
const fresh = () => `question ${++n} ${Date.now()}`;
const body = (content: string, more: Record<string, unknown> = {}) => ({
  model: 'phi3-mini',
  messages: [{ role: 'user', content }],
  temperature: 0,
  ...more,
});
async function waitCached(g: Harness, b: Record<string, unknown>, customer = 'acme') {
  // Cache writes are asynchronous by design; poll (bounded) until the entry is visible.
  for (let i = 0; i < 100; i++) {
    const r = await g.post('/v1/chat/completions', b, { ...g.apim(customer) });
    if (r.headers.get('x-gpuarb-cache') === 'hit') return r;
    await r.arrayBuffer();
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error('entry never became visible');
}

describe('response cache', () => {
  it('miss, then hit with the identical answer; non-deterministic requests bypass', async () => {
    const b = body(fresh());
    const first = await h.post('/v1/chat/completions', b);
    expect(first.headers.get('x-gpuarb-cache')).toBe('miss');
    const answer = await first.text();
    const hit = await waitCached(h, b);
    expect(await hit.text()).toBe(answer);
    expect(hit.headers.get('x-gpuarb-model')).toBe('phi3-mini');
    const hot = await h.post('/v1/chat/completions', { ...b, temperature: 0.8 });
    expect(hot.headers.get('x-gpuarb-cache')).toBe('bypass');
  });

  it('Cache-Control: no-cache and x-gpuarb-cache: bypass skip it', async () => {
    const b = body(fresh());
    await (await h.post('/v1/chat/completions', b)).text();
    await waitCached(h, b);
    const before = phi.seen.length;
    expect((await h.post('/v1/chat/completions', b, { 'cache-control': 'no-cache' })).headers.get('x-gpuarb-cache')).toBe('bypass');
    expect((await h.post('/v1/chat/completions', b, { 'x-gpuarb-cache': 'bypass' })).headers.get('x-gpuarb-cache')).toBe('bypass');
    expect(phi.seen.length).toBe(before + 2);
  });

  it('a streamed request hits an answer cached from a plain one, replayed as SSE (and vice versa)', async () => {
    const b = body(fresh());
    const plain = (await (await h.post('/v1/chat/completions', b)).json()) as { choices: { message: { content: string } }[] };
    await waitCached(h, b);
    const s = await h.post('/v1/chat/completions', { ...b, stream: true });
    expect(s.headers.get('x-gpuarb-cache')).toBe('hit');
    expect(s.headers.get('content-type')).toContain('text/event-stream');
    const text = await s.text();
    const content = text
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[] })
      .map((c) => c.choices[0]?.delta.content ?? '')
      .join('');
    expect(content).toBe(plain.choices[0].message.content);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const b2 = body(fresh(), { stream: true });
    await (await h.post('/v1/chat/completions', b2)).text();
    const plainHit = await waitCached(h, { ...b2, stream: false });
    expect(((await plainHit.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content).toMatch(/^phi-w0 /);
  });

  it('never answers another customer under per-customer scope', async () => {
    const b = body(fresh());
    await (await h.post('/v1/chat/completions', b, h.apim('alice'))).text();
    await waitCached(h, b, 'alice');
    const bob = await h.post('/v1/chat/completions', b, h.apim('bob'));
    expect(bob.headers.get('x-gpuarb-cache')).toBe('miss');
  });

  it('expires entries by the stored expiry even though the store keeps them', async () => {
    const g = await startHarness({ cosmos, config: { cache: { scope: 'global', ttlSeconds: 1, memoryEntries: 100, enabled: true } } });
    extra.push(g);
    const b = body(fresh());
    await (await g.post('/v1/chat/completions', b)).text();
    await waitCached(g, b);
    const deadline = Date.now() + 5_000;
    let state: string | null = 'hit';
    while (state === 'hit' && Date.now() < deadline) {
      const r = await g.post('/v1/chat/completions', b);
      state = r.headers.get('x-gpuarb-cache');
      await r.arrayBuffer();
      if (state === 'hit') await new Promise((res) => setTimeout(res, 100));
    }
    expect(state).toBe('miss');
  });

  it('an alias that resolves to another model elsewhere never shares answers', async () => {
    // Two gateways on the same Cosmos: in one "fast" means phi3-mini, in the other mixtral.
    const models = (target: string) => [
      {
        name: 'phi3-mini',
        aliases: target === 'phi3-mini' ? ['fast'] : [],
        contextTokens: 4096,
        maxOutputTokens: 1024,
        cost: { inputPerMillion: 0.1, outputPerMillion: 0.2 },
      },
      {
        name: 'mixtral-8x7b',
        aliases: target === 'mixtral-8x7b' ? ['fast'] : [],
        contextTokens: 32768,
        maxOutputTokens: 4096,
        cost: { inputPerMillion: 0.5, outputPerMillion: 1 },
      },
    ];
    const g1 = await startHarness({
      cosmos,
      config: { models: models('phi3-mini'), cache: { scope: 'global', ttlSeconds: 600, memoryEntries: 0, enabled: true } },
    });
    const g2 = await startHarness({
      cosmos,
      config: { models: models('mixtral-8x7b'), cache: { scope: 'global', ttlSeconds: 600, memoryEntries: 0, enabled: true } },
    });
    extra.push(g1, g2);
    const b = { ...body(fresh()), model: 'fast' };
    await (await g1.post('/v1/chat/completions', b)).text();
    await waitCached(g1, b);
    const r = await g2.post('/v1/chat/completions', b);
    expect(r.headers.get('x-gpuarb-cache')).toBe('miss');
    expect(r.headers.get('x-gpuarb-model')).toBe('mixtral-8x7b');
    expect(((await r.json()) as { id: string }).id).toContain('mix');
  });

  it('a gateway hits what another gateway stored, and misses without a Cosmos read otherwise', async () => {
    const g1 = await startHarness({
      cosmos,
      config: {
        cache: {
          scope: 'global',
          ttlSeconds: 600,
          memoryEntries: 0,
          enabled: true,
          presence: { enabled: true, expectedEntries: 1000, syncMs: 200 },
        },
      },
    });
    const g2 = await startHarness({
      cosmos,
      config: {
        cache: {
          scope: 'global',
          ttlSeconds: 600,
          memoryEntries: 0,
          enabled: true,
          presence: { enabled: true, expectedEntries: 1000, syncMs: 200 },
        },
      },
    });
    extra.push(g1, g2);
    const b = body(fresh());
    await (await g1.post('/v1/chat/completions', b)).text();
    await waitCached(g1, b);
    // g2 learns the key from its presence sync (every 200 ms here) and then reads Cosmos: a hit.
    const hit = await waitCached(g2, b);
    expect(hit.headers.get('x-gpuarb-model')).toBe('phi3-mini');
    // A key nobody stored: the filter answers, and Cosmos is not asked.
    // biome-ignore lint/complexity/useLiteralKeys: the test reads the cache's private presence filter
    const presence = required(required(g2.gateway.ctx.cache, 'the response cache')['presence'], 'the presence filter');
    await presence.sync();
    const reads = countCosmosReads(g2);
    const r = await g2.post('/v1/chat/completions', body(fresh()));
    expect(r.headers.get('x-gpuarb-cache')).toBe('miss');
    await r.text();
    expect(reads()).toBe(0);
  });

  it('does not store an answer served by a fallback model under the requested model', async () => {
    const g = await startHarness({ cosmos, config: { cache: { scope: 'global', ttlSeconds: 600, memoryEntries: 100, enabled: true } } });
    extra.push(g);
    const b = { ...body(fresh()), model: 'llama3-70b' }; // no llama replica; llama has no fallback → 503
    expect((await g.post('/v1/chat/completions', b)).status).toBe(503);
    const viaFallback = { ...body(fresh()) };
    await g.unregister({ id: 'phi-1', pool: 'phi3-mini' });
    try {
      const r = await g.post('/v1/chat/completions', viaFallback);
      expect(r.headers.get('x-gpuarb-model')).toBe('mixtral-8x7b');
      await r.text();
      await h.register({ id: 'phi-1', model: 'phi3-mini', address: phi.url });
      const again = await g.post('/v1/chat/completions', viaFallback);
      expect(again.headers.get('x-gpuarb-cache')).toBe('miss');
      expect(again.headers.get('x-gpuarb-model')).toBe('phi3-mini');
    } finally {
      await h.register({ id: 'phi-1', model: 'phi3-mini', address: phi.url });
    }
  });
});
