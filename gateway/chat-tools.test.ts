// Tool calls through the whole local path: the official openai client → gateway → real fleet
// agent (sim engine). The answer has OpenAI's shape (message.tool_calls with id, function name and
// arguments as JSON text valid for the declared schema, content null, finish_reason
// "tool_calls"), streams as OpenAI streams it, the follow-up turn with role "tool" messages gets
// text, and metering and the cache treat a tool call like any other answer.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageDoc } from '../contracts/documents.js';
import { startTestAgent, type TestAgent } from '../testkit/agent.js';
import { INTERNAL_KEY, startHarness, type Harness } from '../testkit/gateway.js';

let h: Harness;
let agent: TestAgent;
let client: OpenAI;
const CUSTOMER = 'tools-customer';

const weather: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        hourly: { type: 'boolean' },
      },
      required: ['city', 'unit', 'days', 'hourly'],
      additionalProperties: false,
    },
  },
};
const time: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } },
};
const ask = { model: 'mixtral-8x7b', messages: [{ role: 'user' as const, content: 'weather in Oslo?' }], tools: [weather, time] };
const served = { requests: 0, prompt: 0, completion: 0 };
const count = (u: OpenAI.CompletionUsage | null | undefined) => {
  if (!u) throw new Error('an answer without usage');
  served.requests++;
  served.prompt += u.prompt_tokens;
  served.completion += u.completion_tokens;
};

/** The arguments satisfy get_weather's schema (all required properties, types, enum, range, nothing extra). */
function expectWeatherArguments(text: string) {
  const args = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(args).sort()).toEqual(['city', 'days', 'hourly', 'unit']);
  expect(typeof args.city).toBe('string');
  expect(['celsius', 'fahrenheit']).toContain(args.unit);
  expect(Number.isInteger(args.days) && (args.days as number) >= 1 && (args.days as number) <= 7).toBe(true);
  expect(typeof args.hourly).toBe('boolean');
}

beforeAll(async () => {
  h = await startHarness();
  agent = await startTestAgent({
    instanceName: 'vm-tools',
    pool: 'mixtral',
    engine: { type: 'sim', model: 'mixtral-8x7b', gpu: 'none' },
    auth: { type: 'static', keys: [INTERNAL_KEY] },
  });
  await h.register({ id: 'vm-tools', model: 'mixtral-8x7b', address: agent.url });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'behind-apim', defaultHeaders: h.apim(CUSTOMER), maxRetries: 0 });
});
afterAll(async () => {
  await agent?.stop();
  await h?.stop();
  await h?.cosmos.stop();
});

describe('tools through the gateway (sim engine)', () => {
  let whole: OpenAI.ChatCompletion;

  it('answers with message.tool_calls, content null and finish_reason "tool_calls"', async () => {
    whole = await client.chat.completions.create(ask);
    count(whole.usage);
    const choice = whole.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toMatch(/^call_/);
    expect(call.type).toBe('function');
    expect(call.function.name).toBe('get_weather');
    expectWeatherArguments(call.function.arguments);
  });

  it('streams the call as OpenAI does, with usage equal to the whole answer', async () => {
    const stream = await client.chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    const [first, ...rest] = chunks;
    expect(first.choices[0].delta).toMatchObject({ role: 'assistant', content: null });
    const head = first.choices[0].delta.tool_calls?.[0];
    expect(head).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    const pieces = rest.filter((c) => c.choices[0]?.delta.tool_calls);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) {
      const d = p.choices[0].delta.tool_calls?.[0];
      expect(d?.index).toBe(0);
      expect(d?.id).toBeUndefined();
      expect(d?.function?.name).toBeUndefined();
    }
    const streamedArgs = pieces.map((p) => p.choices[0].delta.tool_calls?.[0].function?.arguments).join('');
    const wholeCall = whole.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(streamedArgs).toBe(wholeCall.function.arguments);
    expect(head?.id).toBe(wholeCall.id);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
    const usage = chunks.at(-1)?.usage;
    expect(usage).toEqual(whole.usage);
    count(usage);
  });

  it('the follow-up turn with the tool result gets text', async () => {
    const call = whole.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    const next = await client.chat.completions.create({
      ...ask,
      messages: [...ask.messages, whole.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' }],
    });
    count(next.usage);
    expect(next.choices[0].finish_reason).toBe('stop');
    expect(next.choices[0].message.content).toMatch(/\w/);
    expect(next.choices[0].message.tool_calls).toBeUndefined();
  });

  it('tool_choice: a named function, "none", and parallel calls', async () => {
    const named = await client.chat.completions.create({ ...ask, tool_choice: { type: 'function', function: { name: 'get_time' } } });
    count(named.usage);
    const forced = named.choices[0].message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall | undefined;
    expect(forced?.function.name).toBe('get_time');
    const none = await client.chat.completions.create({ ...ask, tool_choice: 'none' });
    count(none.usage);
    expect(none.choices[0].message.tool_calls).toBeUndefined();
    expect(none.choices[0].finish_reason).toBe('stop');
    const both = await client.chat.completions.create({ ...ask, tool_choice: 'required', parallel_tool_calls: true });
    count(both.usage);
    expect(both.choices[0].message.tool_calls?.map((c) => (c as OpenAI.ChatCompletionMessageFunctionToolCall).function.name)).toEqual([
      'get_weather',
      'get_time',
    ]);
  });

  it('a deterministic tool call is cached and answered from the cache in the same shape', async () => {
    const first = await client.chat.completions.create({ ...ask, temperature: 0 }).withResponse();
    count(first.data.usage);
    let again = await client.chat.completions.create({ ...ask, temperature: 0 }).withResponse();
    for (let i = 0; i < 100 && again.response.headers.get('x-gpuarb-cache') !== 'hit'; i++) {
      count(again.data.usage);
      await new Promise((r) => setTimeout(r, 20));
      again = await client.chat.completions.create({ ...ask, temperature: 0 }).withResponse();
    }
    expect(again.response.headers.get('x-gpuarb-cache')).toBe('hit');
    count(again.data.usage);
    expect(again.data.choices[0].message.tool_calls).toEqual(first.data.choices[0].message.tool_calls);
  });

  it('response_format json_schema: the content parses and fits the schema, streamed or not', async () => {
    const rf = { type: 'json_schema' as const, json_schema: { name: 'forecast', strict: true, schema: weather.function.parameters } };
    const r = await client.chat.completions.create({ model: 'mixtral-8x7b', messages: ask.messages, response_format: rf });
    count(r.usage);
    expectWeatherArguments(r.choices[0].message.content ?? '');
    const stream = await client.chat.completions.create({
      model: 'mixtral-8x7b',
      messages: ask.messages,
      response_format: rf,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      usage = c.usage ?? usage;
    }
    expect(text).toBe(r.choices[0].message.content);
    expect(usage).toEqual(r.usage);
    count(usage);
    const obj = await client.chat.completions.create({
      model: 'mixtral-8x7b',
      messages: ask.messages,
      response_format: { type: 'json_object' },
    });
    count(obj.usage);
    expect(typeof JSON.parse(obj.choices[0].message.content ?? '')).toBe('object');
  });

  it('a schema feature the engine cannot honour: 400 naming it', async () => {
    const err = await client.chat.completions
      .create({
        model: 'mixtral-8x7b',
        messages: ask.messages,
        response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object', patternProperties: { '^x': {} } } } },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, param: 'response_format.json_schema.schema', code: 'unsupported_schema' });
    expect((err as Error).message).toMatch(/\$\.patternProperties/);
    served.requests++; // a refused request is metered as one request with an error and no tokens
  });

  it('meters exactly what was served', async () => {
    await h.gateway.ctx.meter.flush();
    const { resources } = await h.cosmos.client
      .database(h.cosmos.database)
      .container('usage')
      .items.query<UsageDoc>({ query: 'SELECT * FROM c WHERE c.customer = @c', parameters: [{ name: '@c', value: CUSTOMER }] })
      .fetchAll();
    const sum = (f: keyof UsageDoc) => resources.reduce((s, d) => s + (d[f] as number), 0);
    expect([sum('requests'), sum('promptTokens'), sum('completionTokens'), sum('errors')]).toEqual([
      served.requests,
      served.prompt,
      served.completion,
      1,
    ]);
  });
});
