// End to end with real fleet agents (fleet-agent, sim engine) that register themselves in the
// Cosmos registry, and the official `openai` client talking to the gateway: chat, stream,
// models, cache hits, auto routing, health, and metering totals equal to what was served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startTestAgent, type TestAgent } from '../testkit/agent.js';
import { startHarness, INTERNAL_KEY, type Harness } from '../testkit/gateway.js';
import type { UsageDoc } from '../contracts/documents.js';

let h: Harness;
const agents: TestAgent[] = [];
let client: OpenAI;

async function agent(name: string, model: string) {
  const a = await startTestAgent(
    {
      instanceName: name,
      pool: model,
      engine: { type: 'sim', model, gpu: 'none' },
      auth: { type: 'static', keys: [INTERNAL_KEY] },
      registry: { endpoint: h.cosmos.endpoint, key: h.cosmos.key, database: h.cosmos.database, heartbeatMs: 200 },
    },
    { registryCa: h.cosmos.ca },
  );
  agents.push(a);
  return a;
}

// /health/ready names no model (it is open to anyone), so readiness per model is read where the
// gateway reads it: the signed registry entries.
async function waitReady(models: string[]) {
  const until = Date.now() + 15_000;
  const registry = h.cosmos.client.database(h.cosmos.database).container('registry');
  while (Date.now() < until) {
    const r = await fetch(`${h.url}/health/ready`);
    const { resources } = await registry.items.query<{ model: string; state: string; sig?: string }>('SELECT * FROM c').fetchAll();
    const ready = new Set(resources.filter((d) => d.state === 'ready' && d.sig).map((d) => d.model));
    if (r.status === 200 && models.every((m) => ready.has(m))) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`replicas for ${models.join(', ')} never became ready`);
}

beforeAll(async () => {
  h = await startHarness();
  expect((await fetch(`${h.url}/health/ready`)).status).toBe(503); // no replica yet
  await agent('vm-phi-0', 'phi3-mini');
  await agent('vm-phi-1', 'phi3-mini');
  await agent('vm-mix-0', 'mixtral-8x7b');
  await waitReady(['phi3-mini', 'mixtral-8x7b']);
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'not-used-behind-apim', defaultHeaders: h.apim('e2e-customer'), maxRetries: 0 });
});
afterAll(async () => {
  for (const a of agents) await a.stop();
  await h?.stop();
});

describe('through the gateway with the openai client', () => {
  const served = { prompt: 0, completion: 0, requests: 0, hits: 0 };
  /** Counts one answered request and its tokens: every answer here carries its usage. */
  const countServed = (usage: OpenAI.CompletionUsage | undefined | null) => {
    if (!usage) throw new Error('an answer without usage');
    served.requests++;
    served.prompt += usage.prompt_tokens;
    served.completion += usage.completion_tokens;
  };

  it('lists models', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(['auto', 'phi3-mini', 'mixtral-8x7b', 'llama3-70b']);
  });

  it('chats, labelled simulated, and the request id reaches the agent', async () => {
    const { data, response } = await client.chat.completions
      .create(
        { model: 'phi3-mini', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 12 },
        { headers: { 'x-request-id': 'e2e-req-1' } },
      )
      .withResponse();
    expect(data.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(response.headers.get('x-gpuarb-model')).toBe('phi3-mini');
    expect(response.headers.get('x-gpuarb-simulated')).toBe('true');
    expect(agents.some((a) => a.lines.some((l) => JSON.stringify(l).includes('e2e-req-1')))).toBe(true);
    countServed(data.usage);
  });

  it('streams', async () => {
    const stream = await client.chat.completions.create({
      model: 'mixtral',
      messages: [{ role: 'user', content: 'Count' }],
      max_tokens: 20,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    countServed(usage);
  });

  it('hits the cache on a repeated deterministic request', async () => {
    const req = {
      model: 'phi3-mini',
      messages: [{ role: 'user' as const, content: `cache me ${Date.now()}` }],
      temperature: 0,
      max_tokens: 8,
    };
    const first = await client.chat.completions.create(req).withResponse();
    expect(first.response.headers.get('x-gpuarb-cache')).toBe('miss');
    countServed(first.data.usage);
    let hit = false;
    for (let i = 0; i < 50 && !hit; i++) {
      const again = await client.chat.completions.create(req).withResponse();
      hit = again.response.headers.get('x-gpuarb-cache') === 'hit';
      countServed(again.data.usage);
      if (hit) {
        served.hits++;
        expect(again.data).toEqual(first.data);
      } else await new Promise((r) => setTimeout(r, 20));
    }
    expect(hit).toBe(true);
  });

  it('auto routes maths to mixtral', async () => {
    const r = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Solve the equation 3 * 4 = x' }], max_tokens: 5 })
      .withResponse();
    expect(r.response.headers.get('x-gpuarb-model')).toBe('mixtral-8x7b');
    countServed(r.data.usage);
  });

  it('maps gateway errors to the client error classes', async () => {
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  it('meters exactly what was served', async () => {
    await h.gateway.ctx.meter.flush();
    const usage = h.cosmos.client.database(h.cosmos.database).container('usage');
    const { resources } = await usage.items
      .query<UsageDoc>({ query: 'SELECT * FROM c WHERE c.customer = @c', parameters: [{ name: '@c', value: 'e2e-customer' }] })
      .fetchAll();
    const real = resources.filter((d) => d.model !== '(unknown)');
    const sum = (f: keyof UsageDoc) => real.reduce((s, d) => s + (d[f] as number), 0);
    expect(sum('requests')).toBe(served.requests);
    expect(sum('promptTokens')).toBe(served.prompt);
    expect(sum('completionTokens')).toBe(served.completion);
    expect(sum('cacheHits')).toBe(served.hits);
    expect(sum('errors')).toBe(0);
    expect(resources.find((d) => d.model === '(unknown)')?.errors).toBe(1);
  });
});
