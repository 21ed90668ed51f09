// A client that cuts a stream after the first token still owes the prompt (the engine accepted
// it) and the completion tokens it was sent. Real gateway, real agent (sim engine), the official
// OpenAI client as the customer.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageDocId, type UsageDoc } from '../contracts/documents.js';
import { startTestAgent, type TestAgent } from '../testkit/agent.js';
import { startHarness, type Harness } from '../testkit/gateway.js';
import { waitFor } from '../testkit/wait.js';

let h: Harness;
let agent: TestAgent;

beforeAll(async () => {
  h = await startHarness();
  // A T4's pace (ms per token), so the stream is still running when the client leaves; the
  // agent's key is the harness's internal service key.
  agent = await startTestAgent({ engine: { type: 'sim', model: 'phi3-mini', gpu: 'T4' } });
  await h.register({ id: 'cut-1', model: 'phi3-mini', address: agent.url });
}, 60_000);
afterAll(async () => {
  await agent?.stop();
  await h?.stop();
});

async function usage(customer: string): Promise<UsageDoc | undefined> {
  await h.gateway.ctx.meter.flush();
  const day = new Date().toISOString().slice(0, 10);
  const { resource } = await h.cosmos.client
    .database(h.cosmos.database)
    .container('usage')
    .item(usageDocId(customer, 'phi3-mini', day), customer)
    .read<UsageDoc>();
  return resource;
}

const client = (customer: string) =>
  new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', defaultHeaders: h.apim(customer), maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'tell me a long story about the sea and its ships' }];

describe('a stream the client cuts', () => {
  it('bills the prompt tokens and the completion tokens delivered', async () => {
    // The same prompt answered in full tells what the prompt costs.
    await client('cut-reference').chat.completions.create({ model: 'phi3-mini', messages, max_tokens: 4, temperature: 0.7 });
    const promptTokens = (await usage('cut-reference'))?.promptTokens ?? 0;
    expect(promptTokens).toBeGreaterThan(0);

    const stream = await client('cut-customer').chat.completions.create({
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
    const billed = await waitFor('the cut stream metered', async () => {
      const u = await usage('cut-customer');
      return u && u.requests === 1 ? u : undefined;
    });
    expect(billed.promptTokens).toBe(promptTokens);
    expect(billed.completionTokens).toBeGreaterThanOrEqual(delivered);
    expect(billed.completionTokens).toBeLessThan(200);
  });
});
