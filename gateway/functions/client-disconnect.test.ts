// A client that cuts a stream served by the Functions app: the cut reaches the agent (it stops
// generating) and metering bills the prompt plus what was relayed. The gateway runs as the
// Functions app under a host for one Node worker (testkit/functions-host: the real
// @azure/functions library with HTTP streams, driven as the Azure Functions host drives it);
// real agent (sim engine at a T4's pace), the official OpenAI client as the customer.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageDocId, type UsageDoc } from '../../contracts/documents.js';
import { startTestAgent, type TestAgent } from '../../testkit/agent.js';
import { startFunctionsHost, type FunctionsHost } from '../../testkit/functions-host/index.js';
import { BACKEND_SECRET, INTERNAL_KEY, startHarness, testModels, type Harness } from '../../testkit/gateway.js';
import { waitFor } from '../../testkit/wait.js';

let h: Harness;
let agent: TestAgent;
let host: FunctionsHost;

beforeAll(async () => {
  h = await startHarness(); // Cosmos and the signed registry entry; its own node:http gateway is not used
  agent = await startTestAgent({ engine: { type: 'sim', model: 'phi3-mini', gpu: 'T4' } });
  await h.register({ id: 'fn-cut-1', model: 'phi3-mini', address: agent.url });
  host = await startFunctionsHost({
    cosmos: { endpoint: h.cosmos.endpoint, key: h.cosmos.key, database: h.cosmos.database, caFile: h.caFile },
    secrets: { backend: { kind: 'static', current: BACKEND_SECRET }, internalServiceKey: { kind: 'static', current: INTERNAL_KEY } },
    models: testModels(),
    registry: { cacheMs: 0 },
    telemetry: { logLevel: 'error' },
  });
}, 90_000);
afterAll(async () => {
  await host?.stop();
  await agent?.stop();
  await h?.stop();
});

async function usage(customer: string): Promise<UsageDoc | undefined> {
  const day = new Date().toISOString().slice(0, 10);
  const { resource } = await h.cosmos.client
    .database(h.cosmos.database)
    .container('usage')
    .item(usageDocId(customer, 'phi3-mini', day), customer)
    .read<UsageDoc>();
  return resource;
}

const client = (customer: string) =>
  new OpenAI({ baseURL: `${host.url}/v1`, apiKey: 'unused', defaultHeaders: h.apim(customer), maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'tell me a long story about the sea and its ships' }];

describe('a stream the client cuts, on the Functions host', () => {
  it('cancels the agent and bills the prompt and the tokens relayed', async () => {
    await client('fn-reference').chat.completions.create({ model: 'phi3-mini', messages, max_tokens: 4, temperature: 0.7 });
    const promptTokens = (await waitFor('the reference metered', () => usage('fn-reference')))?.promptTokens ?? 0;
    expect(promptTokens).toBeGreaterThan(0);

    const stream = await client('fn-cut').chat.completions.create({
      model: 'phi3-mini',
      messages,
      max_tokens: 200,
      temperature: 0.7,
      stream: true,
    });
    let delivered = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) delivered++;
      if (delivered === 1) break; // the client leaves after the first token
    }
    // At a T4's pace 200 tokens take seconds; the agent records the generation as cancelled
    // long before, and it never produced them all.
    const line = await waitFor(
      "the agent's record of the cut generation",
      () => agent.lines.find((l) => l.msg === 'request' && l.stream === true),
      5_000,
    );
    expect(line.finish).toBe('cancelled');
    const billed = await waitFor('the cut stream metered', async () => {
      const u = await usage('fn-cut');
      return u && u.requests === 1 ? u : undefined;
    });
    expect(billed.promptTokens).toBe(promptTokens);
    expect(billed.completionTokens).toBeGreaterThanOrEqual(delivered);
    expect(billed.completionTokens).toBeLessThan(200);
    expect(host.stderr()).not.toMatch(/failed/);
  });
});
