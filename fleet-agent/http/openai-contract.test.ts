// The OpenAI contract, checked with the official `openai` client against a real agent (sim engine).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../lib/required.js';
import { startTestAgent, type TestAgent } from '../../testkit/agent.js';
import { HEADER_USAGE, parseUsageHeader } from '../../contracts/headers.js';

let t: TestAgent;
let client: OpenAI;
beforeAll(async () => {
  t = await startTestAgent();
  client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: t.key, maxRetries: 0 });
});
afterAll(() => t.stop());

describe('OpenAI contract (official client)', () => {
  it('answers a chat completion with usage, labelled as simulated', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'phi3-mini', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 8 })
      .withResponse();
    expect(response.headers.get('x-gpuarb-simulated')).toBe('true');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(data.object).toBe('chat.completion');
    expect(data.system_fingerprint).toMatch(/^simulated-/);
    expect(data.choices[0].message.role).toBe('assistant');
    expect(data.choices[0].message.content?.length).toBeGreaterThan(0);
    expect(data.choices[0].finish_reason).toBe('length');
    const usage = required(data.usage, 'the usage');
    expect(usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 8, total_tokens: usage.prompt_tokens + 8 });
    // The same usage in a header, for the gateway's metering (contracts/headers.ts).
    expect(parseUsageHeader(response.headers.get(HEADER_USAGE))).toEqual({ prompt: usage.prompt_tokens, completion: 8 });
  });

  it('streams a chat completion, with usage in a last chunk when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'phi3-mini',
      messages: [{ role: 'user', content: 'Stream please' }],
      max_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text.length).toBeGreaterThan(0);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ completion_tokens: 5 });
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('length');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.system_fingerprint?.startsWith('simulated-'))).toBe(true);
  });

  it('streams the same text it answers without streaming (deterministic sim)', async () => {
    const messages = [{ role: 'user' as const, content: 'same prompt' }];
    const plain = await client.chat.completions.create({ model: 'phi3-mini', messages, max_tokens: 12 });
    const stream = await client.chat.completions.create({ model: 'phi3-mini', messages, max_tokens: 12, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(plain.choices[0].message.content);
  });

  it('answers legacy completions, streamed and not', async () => {
    const plain = await client.completions.create({ model: 'phi3-mini', prompt: 'Once upon a time', max_tokens: 6 });
    expect(plain.object).toBe('text_completion');
    expect(plain.usage?.completion_tokens).toBe(6);
    const stream = await client.completions.create({ model: 'phi3-mini', prompt: 'Once upon a time', max_tokens: 6, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(plain.choices[0].text);
  });

  it('applies stop sequences', async () => {
    const full = await client.completions.create({ model: 'phi3-mini', prompt: 'stop test', max_tokens: 20 });
    const words = full.choices[0].text.split(' ');
    const stop = ` ${words[3]}`;
    const cut = await client.completions.create({ model: 'phi3-mini', prompt: 'stop test', max_tokens: 20, stop });
    expect(cut.choices[0].text).toBe(full.choices[0].text.slice(0, full.choices[0].text.indexOf(stop)));
    expect(cut.choices[0].finish_reason).toBe('stop');
  });

  it('lists the served model', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['phi3-mini']);
  });

  it('raises typed errors: 401 bad key, 404 unknown model, 400 bad request', async () => {
    const wrong = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'not-the-key', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    const err = await client.chat.completions
      .create({ model: 'phi3-mini', messages: [{ role: 'user', content: 'x' }], temperature: 5 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, param: 'temperature', code: 'decimal_above_max_value', type: 'invalid_request_error' });
  });
});
