// Routing (aliases, auto rules, fallback), replica choice under skewed load, and retries around
// draining / throttling / refusing / breaking replicas — through the real gateway and Cosmos,
// with scripted agents so each failure happens exactly when the test says.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, INTERNAL_KEY, type Harness } from '../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../testkit/scripted-agent.js';
import { closedPort } from '../testkit/wait.js';

let h: Harness;
const agents: ScriptedAgent[] = [];
const registered: { id: string; pool: string }[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});
afterEach(async () => {
  for (const r of registered.splice(0)) await h.unregister(r);
  for (const a of agents.splice(0)) await a.stop();
});

async function replica(id: string, model: string, extra: Record<string, unknown> = {}) {
  const a = await startScriptedAgent(id, INTERNAL_KEY);
  agents.push(a);
  await h.register({ id, model, address: a.url, ...extra });
  registered.push({ id, pool: model });
  return a;
}

const ask = (model: string, extra: Record<string, unknown> = {}, content = 'hello') =>
  h.post('/v1/chat/completions', { model, messages: [{ role: 'user', content }], ...extra });

describe('routing', () => {
  it('honours explicit models and aliases, and says which model served', async () => {
    const phi = await replica('phi-1', 'phi3-mini');
    await replica('mix-1', 'mixtral-8x7b');
    const r1 = await ask('phi-3');
    expect(r1.headers.get('x-gpuarb-model')).toBe('phi3-mini');
    expect(phi.seen.at(-1)?.body.model).toBe('phi3-mini'); // the agent gets the resolved name
    expect((await ask('mixtral')).headers.get('x-gpuarb-model')).toBe('mixtral-8x7b');
  });

  it('auto picks the cheapest model that fits the documented rules', async () => {
    await replica('phi-1', 'phi3-mini');
    await replica('mix-1', 'mixtral-8x7b');
    await replica('llama-1', 'llama3-70b');
    const served = async (extra: Record<string, unknown>, content = 'tell me a story') =>
      (await ask('auto', extra, content)).headers.get('x-gpuarb-model');
    expect(await served({})).toBe('phi3-mini'); // short, plain: the cheapest
    expect(await served({}, 'Here is code:\n```js\nconst x = 1;\n```')).toBe('phi3-mini'); // phi has "code"
    expect(await served({}, 'prove that the integral of x^2 is x^3/3')).toBe('mixtral-8x7b'); // maths
    expect(await served({ tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] })).toBe('mixtral-8x7b');
    expect(await served({ max_tokens: 2048 })).toBe('mixtral-8x7b'); // over phi's maxOutputTokens
    expect(await served({}, 'word '.repeat(6000))).toBe('mixtral-8x7b'); // ~7500 tokens: over phi's context
  });

  it('falls back along the chain when a model has no ready replica', async () => {
    await replica('phi-starting', 'phi3-mini', { state: 'starting' });
    await replica('phi-stale', 'phi3-mini', { lastSeen: Date.now() - 60_000 });
    await replica('phi-draining', 'phi3-mini', { state: 'draining' });
    await replica('llama-1', 'llama3-70b');
    const res = await ask('phi3-mini');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gpuarb-model')).toBe('llama3-70b'); // phi → mixtral (none) → llama
    for (const a of agents.slice(0, 3)) expect(a.seen).toHaveLength(0);
  });

  it('answers 503 when no model in the chain has a replica', async () => {
    const res = await ask('llama3-70b');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('no_replica');
  });

  it('power of two choices avoids the loaded replica', async () => {
    const busy = await replica('phi-busy', 'phi3-mini', { inFlight: 50, queue: 20 });
    const idle1 = await replica('phi-idle1', 'phi3-mini');
    const idle2 = await replica('phi-idle2', 'phi3-mini');
    for (let i = 0; i < 60; i++) expect((await ask('phi3-mini')).status).toBe(200);
    // With 3 replicas P2C picks the busy one only if both draws are it: impossible (distinct draws).
    expect(busy.seen).toHaveLength(0);
    expect(idle1.seen.length + idle2.seen.length).toBe(60);
    expect(Math.min(idle1.seen.length, idle2.seen.length)).toBeGreaterThan(5);
  });
});

describe('retries', () => {
  it('retries on a draining replica (503), a throttled one (429) and a refused connection', async () => {
    const draining = await replica('phi-draining', 'phi3-mini');
    draining.behaviour.draining = true;
    const throttled = await replica('phi-429', 'phi3-mini');
    throttled.behaviour.throttle = true;
    const port = await closedPort();
    await h.register({ id: 'phi-dead', model: 'phi3-mini', address: `http://127.0.0.1:${port}` });
    registered.push({ id: 'phi-dead', pool: 'phi3-mini' });
    const good = await replica('phi-good', 'phi3-mini');
    for (let i = 0; i < 5; i++) {
      const res = await ask('phi3-mini', {}, `q${i}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toContain('phi-good');
    }
    expect(good.seen).toHaveLength(5);
  });

  it('a replica that starts draining mid-request finishes it; the next request goes elsewhere', async () => {
    const a = await replica('phi-a', 'phi3-mini', { inFlight: 0 });
    const b = await replica('phi-b', 'phi3-mini', { inFlight: 100 });
    a.behaviour.chunkIntervalMs = 30;
    const res = await ask('phi3-mini', { stream: true });
    expect(res.status).toBe(200);
    a.behaviour.draining = true; // the request above is already being answered
    const text = await res.text();
    expect(text).toContain('data: [DONE]');
    expect(text).not.toContain('"error"');
    const next = await ask('phi3-mini', {}, 'after drain');
    expect(((await next.json()) as { id: string }).id).toContain('phi-b');
    expect(b.seen).toHaveLength(1);
  });

  it('a stream broken after bytes were sent ends with an error event, never a second answer', async () => {
    const a = await replica('phi-break', 'phi3-mini');
    a.behaviour.breakAfterChunks = 2;
    a.behaviour.chunkIntervalMs = 20; // the client has the first chunks before the connection drops
    const other = await replica('phi-other', 'phi3-mini', { inFlight: 1000 });
    const res = await ask('phi3-mini', { stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('phi-break-w1');
    expect(text).toMatch(/data: \{"error":\{"message":"the answer was cut off/);
    expect(text).not.toContain('[DONE]');
    expect(other.seen).toHaveLength(0); // no retry once the client had bytes
  });

  it('a stream that breaks before its first byte is retried on another replica', async () => {
    const a = await replica('phi-break0', 'phi3-mini');
    a.behaviour.breakBeforeFirstChunk = true;
    const fine = await replica('phi-fine', 'phi3-mini', { inFlight: 1000 });
    const res = await ask('phi3-mini', { stream: true });
    const text = await res.text();
    expect(text).toContain('phi-fine-w4');
    expect(text.match(/\[DONE\]|"error"/g)).toEqual(['[DONE]']); // exactly one answer, finished
    expect(a.seen).toHaveLength(1);
    expect(fine.seen).toHaveLength(1);
  });
});
