// The gateway applies the shared request schema (contracts/chat-request.ts) before it routes:
// a malformed request is a 400 in OpenAI's shape, which the official client raises as
// BadRequestError with `param` and `code`, and no agent ever sees it. A model that cannot call
// tools is refused with the names of those that can.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_KEY, startHarness, type Harness } from '../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../testkit/scripted-agent.js';

let h: Harness;
let phi: ScriptedAgent;
let mixtral: ScriptedAgent;
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'hi' }];
const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } };

beforeAll(async () => {
  h = await startHarness();
  phi = await startScriptedAgent('phi', INTERNAL_KEY);
  mixtral = await startScriptedAgent('mixtral', INTERNAL_KEY);
  await h.register({ id: 'phi-1', model: 'phi3-mini', address: phi.url });
  await h.register({ id: 'mixtral-1', model: 'mixtral-8x7b', address: mixtral.url });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'behind-apim', defaultHeaders: h.apim('alice'), maxRetries: 0 });
});
afterAll(async () => {
  await h?.stop();
  await phi?.stop();
  await mixtral?.stop();
  await h?.cosmos.stop();
});

async function refusal(params: Record<string, unknown>): Promise<InstanceType<typeof OpenAI.BadRequestError>> {
  const err = await client.chat.completions.create({ model: 'phi3-mini', messages, ...params } as never).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  return err as InstanceType<typeof OpenAI.BadRequestError>;
}

describe('the gateway validates every field before routing', () => {
  it.each<[Record<string, unknown>, string, string]>([
    [{ temperature: 3 }, 'temperature', 'decimal_above_max_value'],
    [{ top_logprobs: 21, logprobs: true }, 'top_logprobs', 'integer_above_max_value'],
    [
      { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] },
      'tools[0].function.parameters',
      'invalid_function_parameters',
    ],
    [{ tools: [weather], tool_choice: { type: 'function', function: { name: 'other' } } }, 'tool_choice.function.name', 'invalid_value'],
    [{ response_format: { type: 'yaml' } }, 'response_format.type', 'invalid_value'],
    [{ logit_bias: { word: 5 } }, 'logit_bias', 'invalid_value'],
  ])('%j → 400 %s %s, never forwarded', async (params, param, code) => {
    const before = phi.seen.length + mixtral.seen.length;
    const err = await refusal(params);
    expect(err.status).toBe(400);
    expect(err.type).toBe('invalid_request_error');
    expect(err.param).toBe(param);
    expect(err.code).toBe(code);
    expect(phi.seen.length + mixtral.seen.length).toBe(before);
  });

  it('ignores an unknown field as OpenAI does (and forwards it)', async () => {
    const done = await client.chat.completions.create({ model: 'phi3-mini', messages, some_future_field: 1 } as never);
    expect(done.object).toBe('chat.completion');
  });

  it('tools on a model that cannot call them: 400 naming the models that can', async () => {
    const err = await refusal({ tools: [weather] });
    expect(err.param).toBe('tools');
    expect(err.code).toBe('unsupported_parameter');
    expect(err.message).toMatch(/phi3-mini.*does not support tools.*mixtral-8x7b, llama3-70b/);
  });

  it('tools on "auto" route to a tools-capable model', async () => {
    const { response } = await client.chat.completions.create({ model: 'auto', messages, tools: [weather] }).withResponse();
    expect(response.headers.get('x-gpuarb-model')).toBe('mixtral-8x7b');
  });
});
