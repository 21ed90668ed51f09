// What a buffered answer is metered as: the agent's usage header when it is well formed (the
// answer is then not parsed), the answer's own usage otherwise; and a cacheable answer is still
// stored when the header spared the parse. Real gateway and Cosmos, a scripted agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, INTERNAL_KEY, type Harness } from '../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../testkit/scripted-agent.js';
import { usageDocId, type UsageDoc } from '../contracts/documents.js';
import { formatUsageHeader } from '../contracts/headers.js';

let h: Harness;
let agent: ScriptedAgent;

beforeAll(async () => {
  h = await startHarness();
  agent = await startScriptedAgent('meter-1', INTERNAL_KEY, { words: 5 }); // body usage: 7 prompt, 5 completion
  await h.register({ id: 'meter-1', model: 'phi3-mini', address: agent.url });
}, 60_000);
afterAll(async () => {
  await agent?.stop();
  await h?.stop();
});

async function metered(customer: string): Promise<Pick<UsageDoc, 'requests' | 'promptTokens' | 'completionTokens' | 'cacheHits'>> {
  await h.gateway.ctx.meter.flush();
  const day = new Date().toISOString().slice(0, 10);
  const { resource } = await h.cosmos.client
    .database(h.cosmos.database)
    .container('usage')
    .item(usageDocId(customer, 'phi3-mini', day), customer)
    .read<UsageDoc>();
  if (!resource) throw new Error(`no usage document for ${customer} today`);
  const { requests, promptTokens, completionTokens, cacheHits } = resource;
  return { requests, promptTokens, completionTokens, cacheHits };
}

async function ask(customer: string, extra: Record<string, unknown> = {}): Promise<Response> {
  const r = await h.post(
    '/v1/chat/completions',
    { model: 'phi3-mini', messages: [{ role: 'user', content: `usage for ${customer}` }], temperature: 0.5, ...extra },
    h.apim(customer),
  );
  expect(r.status).toBe(200);
  await r.arrayBuffer();
  return r;
}

describe('metering a buffered answer', () => {
  it("reads the answer's usage when the agent sends no header", async () => {
    agent.behaviour.usageHeader = undefined;
    await ask('meter-body');
    await ask('meter-body');
    expect(await metered('meter-body')).toEqual({ requests: 2, promptTokens: 14, completionTokens: 10, cacheHits: 0 });
  });
  it("meters the agent's header when it is well formed, without reading the answer", async () => {
    // The header disagrees with the body here only to show which one was read.
    agent.behaviour.usageHeader = formatUsageHeader(20, 30);
    await ask('meter-header');
    expect(await metered('meter-header')).toEqual({ requests: 1, promptTokens: 20, completionTokens: 30, cacheHits: 0 });
  });
  it('falls back to the answer when the header is malformed', async () => {
    for (const bad of [
      'prompt_tokens=-1, completion_tokens=3',
      'prompt_tokens=1,completion_tokens=2',
      'prompt_tokens=1e3, completion_tokens=2',
      'garbage',
    ]) {
      agent.behaviour.usageHeader = bad;
      await ask('meter-malformed');
    }
    expect(await metered('meter-malformed')).toEqual({ requests: 4, promptTokens: 28, completionTokens: 20, cacheHits: 0 });
  });
  it('still stores a cacheable answer when the header is present', async () => {
    agent.behaviour.usageHeader = formatUsageHeader(7, 5);
    const first = await ask('meter-cache', { temperature: 0 });
    expect(first.headers.get('x-gpuarb-cache')).toBe('miss');
    const stored = Date.now() + 5_000;
    let again = await ask('meter-cache', { temperature: 0 });
    // The store runs after the answer.
    while (again.headers.get('x-gpuarb-cache') !== 'hit' && Date.now() < stored) again = await ask('meter-cache', { temperature: 0 });
    expect(again.headers.get('x-gpuarb-cache')).toBe('hit');
    const m = await metered('meter-cache');
    expect(m.cacheHits).toBe(1);
    expect(m.promptTokens).toBe(7 * m.requests);
  });
});
