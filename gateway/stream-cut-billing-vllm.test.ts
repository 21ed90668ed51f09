// The cut-stream rule on the vLLM engine path: vLLM counts the prompt itself, so the agent learns
// its size from vLLM's first chunk (stream_options.continuous_usage_stats) and the gateway can
// still bill it when the client leaves. Real gateway, real agent, and the sim run as a separate
// vLLM-compatible process (`gpuarb-agent sim-vllm serve`) in place of `vllm serve`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_PROMPT_TOKENS } from '../contracts/headers.js';
import { usageDocId, type UsageDoc } from '../contracts/documents.js';
import { required } from '../lib/required.js';
import { startTestAgent, type TestAgent } from '../testkit/agent.js';
import { startHarness, type Harness } from '../testkit/gateway.js';
import { waitFor } from '../testkit/wait.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIM_VLLM = [process.execPath, '--import', 'tsx', join(root, 'fleet-agent', 'main.ts'), 'sim-vllm', 'serve'];

let h: Harness;
let agent: TestAgent;

beforeAll(async () => {
  h = await startHarness();
  agent = await startTestAgent({
    engine: {
      type: 'vllm',
      model: 'phi3-mini',
      source: 'microsoft/Phi-3-mini-4k-instruct',
      command: SIM_VLLM,
      port: 0,
      contextLength: 4096,
      // A T4's pace, so the stream is still running when the client leaves.
      extraArgs: ['--sim-gpu', 'T4', '--sim-load-ms', '0'],
    },
  });
  await waitFor('vLLM ready', async () => (await fetch(`${agent.url}/health/ready`)).status === 200, 30_000);
  await h.register({ id: 'cut-vllm-1', model: 'phi3-mini', address: agent.url });
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

describe('a vLLM stream the client cuts', () => {
  it("the agent names the prompt's size on the stream's status line, from vLLM's first chunk", async () => {
    const res = await fetch(`${agent.url}/v1/chat/completions`, {
      method: 'POST',
      headers: agent.headers,
      body: JSON.stringify({ model: 'phi3-mini', messages, max_tokens: 3, stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.status).toBe(200);
    const announced = Number(res.headers.get(HEADER_PROMPT_TOKENS));
    const text = await res.text();
    const final = required(
      text
        .split('\n\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => JSON.parse(l.slice(6)) as { usage?: { prompt_tokens: number } | null })
        .findLast((c) => c.usage),
      'the final usage chunk',
    );
    expect(announced).toBeGreaterThan(0);
    expect(announced).toBe(final.usage?.prompt_tokens);
  });

  it('bills the prompt tokens and the completion tokens delivered', async () => {
    await client('vllm-reference').chat.completions.create({ model: 'phi3-mini', messages, max_tokens: 4, temperature: 0.7 });
    const promptTokens = (await usage('vllm-reference'))?.promptTokens ?? 0;
    expect(promptTokens).toBeGreaterThan(0);

    const stream = await client('vllm-cut').chat.completions.create({
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
      const u = await usage('vllm-cut');
      return u && u.requests === 1 ? u : undefined;
    });
    expect(billed.promptTokens).toBe(promptTokens);
    expect(billed.completionTokens).toBeGreaterThanOrEqual(delivered);
    expect(billed.completionTokens).toBeLessThan(200);
  });
});
