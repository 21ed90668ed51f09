// Attacks with a customer key on the request parser: bodies nested thousands of levels deep,
// malformed percent-encodings in a path, and numbers JSON cannot represent. Each must be a 400 in
// OpenAI's error shape (the official client raises BadRequestError), never a 500, and the gateway
// (and the real agent behind it) must keep serving afterwards.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../testkit/gateway.js';
import { startTestAgent, type TestAgent } from '../testkit/agent.js';
import { startTestAzurite, type TestAzurite } from '../testkit/azurite.js';
import { INTERNAL_KEY } from '../testkit/gateway.js';

let h: Harness;
let agent: TestAgent;
let azurite: TestAzurite;
let client: OpenAI;
const chat = { model: 'phi3-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

/** `[[[…1…]]]` nested `levels` deep, as raw JSON text (no recursion to build it). */
const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

beforeAll(async () => {
  azurite = await startTestAzurite();
  h = await startHarness({ config: { storage: { connectionString: azurite.connectionString, jobsQueue: `hostile${Date.now()}` } } });
  agent = await startTestAgent({ auth: { type: 'static', keys: [INTERNAL_KEY] } });
  await h.register({ id: 'vm-hostile', model: 'phi3-mini', address: agent.url });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'behind-apim', defaultHeaders: h.apim('mallory'), maxRetries: 0 });
});
afterAll(async () => {
  await h?.stop();
  await agent?.stop();
  await azurite?.stop();
});

async function expect400(res: Response, code: string) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { message: string; type: string; code: string | null } };
  expect(body.error.type).toBe('invalid_request_error');
  expect(body.error.code).toBe(code);
}

async function stillServes() {
  expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
  const ok = await client.chat.completions.create(chat);
  expect(ok.object).toBe('chat.completion');
}

describe('deeply nested JSON', () => {
  // Cacheable (temperature 0: the cache key encodes every field), auto-routed (re-serialised for
  // the agent), and forwarded as sent: every path through the gateway, the field anywhere.
  it.each([
    [
      'an unknown field of a cacheable request',
      (n: number) => `{"model":"phi3-mini","temperature":0,"messages":[{"role":"user","content":"x"}],"x":${nested(n)}}`,
    ],
    [
      'a tool schema of an auto request',
      (n: number) =>
        `{"model":"auto","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${nested(n)}}}]}`,
    ],
    ['a message forwarded as sent', (n: number) => `{"model":"phi3-mini","messages":[{"role":"user","content":"x","extra":${nested(n)}}]}`],
  ])('in %s: 400 json_too_deep, and the gateway serves on', async (_what, body) => {
    const res = await h.post('/v1/chat/completions', body(20_000));
    await expect400(res, 'json_too_deep');
    await stillServes();
  });

  it('through the official client: BadRequestError', async () => {
    // As deep as the client's own JSON.stringify goes without running out of stack itself.
    let deep: unknown = 1;
    for (let i = 0; i < 1_000; i++) deep = [deep];
    const err = await client.chat.completions
      .create({ ...chat, temperature: 0, metadata: { deep } } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('json_too_deep');
    await stillServes();
  });

  it('straight to the agent (a shell inside the VNet, or a gateway bug): 400, agent serves on', async () => {
    const res = await fetch(`${agent.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INTERNAL_KEY}`, 'content-type': 'application/json' },
      body: `{"model":"phi3-mini","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${nested(20_000)}}}]}`,
    });
    await expect400(res, 'json_too_deep');
    expect((await fetch(`${agent.url}/health/live`)).status).toBe(200);
  });

  it('nesting up to the limit is still accepted', async () => {
    const res = await h.post('/v1/chat/completions', `{"model":"phi3-mini","messages":[{"role":"user","content":"x"}],"x":${nested(60)}}`);
    expect(res.status).toBe(200);
  });
});

describe('malformed percent-encoding in a path', () => {
  it('/v1/jobs/%E0%A4%A: 400 invalid_path, and the gateway serves on', async () => {
    await expect400(await fetch(`${h.url}/v1/jobs/%E0%A4%A`, { headers: h.apim('mallory') }), 'invalid_path');
    await expect400(await fetch(`${h.url}/v1/jobs/%ZZ`, { headers: h.apim('mallory') }), 'invalid_path');
    await stillServes();
  });
});

describe('numbers JSON cannot represent', () => {
  it.each(['max_tokens', 'max_completion_tokens', 'temperature', 'seed'])(
    '%s: 1e400 is a 400 naming the field, not a null in the cache key',
    async (field) => {
      const res = await h.post(
        '/v1/chat/completions',
        `{"model":"phi3-mini","temperature":0,"messages":[{"role":"user","content":"x"}],"${field}":1e400}`,
      );
      await expect400(res, 'invalid_value');
      expect(
        (await h.post('/v1/chat/completions', `{"model":"auto","messages":[{"role":"user","content":"x"}],"${field}":-1e400}`)).status,
      ).toBe(400);
    },
  );
  it('anywhere else in a cacheable request: 400 before keying', async () => {
    const res = await h.post(
      '/v1/chat/completions',
      `{"model":"phi3-mini","temperature":0,"messages":[{"role":"user","content":"x"}],"logit_bias":{"42":1e400}}`,
    );
    await expect400(res, 'invalid_value');
    // The same request with null is a different, valid request: it is not answered from a key 1e400 shared.
    const nullBias = await h.post(
      '/v1/chat/completions',
      `{"model":"phi3-mini","temperature":0,"messages":[{"role":"user","content":"x"}],"logit_bias":{"42":null}}`,
    );
    expect(nullBias.headers.get('x-gpuarb-cache')).not.toBe('hit');
  });
});
