// One case per validation rule of the shared request schema: the parameter OpenAI would name and
// the code it would answer with. The gateway and the agent both apply this schema; their own tests
// check the wire (status, error shape) on top.
import { describe, expect, it } from 'vitest';
import { InvalidRequest, parseGenerateBody } from './chat-request.js';

const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const tool = (name: string, parameters: unknown = { type: 'object', properties: {} }) => ({
  type: 'function',
  function: { name, parameters },
});
const call = {
  role: 'assistant',
  content: null,
  tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
};

function refusal(extra: object): { param: string | null; code: string; message: string } {
  try {
    parseGenerateBody('chat', { ...base, ...extra });
  } catch (e) {
    if (e instanceof InvalidRequest) return { param: e.param, code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(extra)}`);
}

describe('the chat request schema refuses what OpenAI refuses', () => {
  it.each<[string, object, string, string]>([
    ['temperature above 2', { temperature: 2.5 }, 'temperature', 'decimal_above_max_value'],
    ['temperature below 0', { temperature: -0.1 }, 'temperature', 'decimal_below_min_value'],
    ['temperature as a string', { temperature: '1' }, 'temperature', 'invalid_type'],
    ['top_p above 1', { top_p: 1.5 }, 'top_p', 'decimal_above_max_value'],
    ['presence_penalty above 2', { presence_penalty: 3 }, 'presence_penalty', 'decimal_above_max_value'],
    ['frequency_penalty below -2', { frequency_penalty: -3 }, 'frequency_penalty', 'decimal_below_min_value'],
    ['max_tokens 0', { max_tokens: 0 }, 'max_tokens', 'integer_below_min_value'],
    ['max_completion_tokens fractional', { max_completion_tokens: 1.5 }, 'max_completion_tokens', 'invalid_type'],
    ['seed fractional', { seed: 1.5 }, 'seed', 'invalid_type'],
    ['n = 2', { n: 2 }, 'n', 'integer_above_max_value'],
    ['stop of five strings', { stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'array_above_max_length'],
    ['stop of numbers', { stop: [1] }, 'stop', 'invalid_type'],
    ['user as a number', { user: 7 }, 'user', 'invalid_type'],
    ['logprobs as a string', { logprobs: 'yes' }, 'logprobs', 'invalid_type'],
    ['top_logprobs 21', { logprobs: true, top_logprobs: 21 }, 'top_logprobs', 'integer_above_max_value'],
    ['top_logprobs without logprobs', { top_logprobs: 2 }, 'top_logprobs', 'invalid_value'],
    ['logit_bias as an array', { logit_bias: [1] }, 'logit_bias', 'invalid_type'],
    ['logit_bias with a word key', { logit_bias: { hello: 1 } }, 'logit_bias', 'invalid_value'],
    ['logit_bias above 100', { logit_bias: { '42': 101 } }, 'logit_bias', 'invalid_value'],
    ['logit_bias of null', { logit_bias: { '42': null } }, 'logit_bias.42', 'invalid_type'],
    ['tools not an array', { tools: {} }, 'tools', 'invalid_type'],
    ['a tool without type', { tools: [{ function: { name: 'f' } }] }, 'tools[0].type', 'missing_required_parameter'],
    ['a tool of another type', { tools: [{ type: 'retrieval', function: { name: 'f' } }] }, 'tools[0].type', 'invalid_value'],
    ['a tool name with spaces', { tools: [tool('get weather')] }, 'tools[0].function.name', 'invalid_value'],
    ['a tool name of 65 characters', { tools: [tool('x'.repeat(65))] }, 'tools[0].function.name', 'invalid_value'],
    ['two tools of one name', { tools: [tool('f'), tool('f')] }, 'tools[1].function.name', 'invalid_value'],
    ['tool parameters not an object', { tools: [tool('f', 'string')] }, 'tools[0].function.parameters', 'invalid_type'],
    [
      'tool parameters of type array',
      { tools: [tool('f', { type: 'array' })] },
      'tools[0].function.parameters',
      'invalid_function_parameters',
    ],
    ['129 tools', { tools: Array.from({ length: 129 }, (_, i) => tool(`f${i}`)) }, 'tools', 'array_above_max_length'],
    ['tool_choice without tools', { tool_choice: 'auto' }, 'tool_choice', 'invalid_value'],
    ['tool_choice of an unknown word', { tools: [tool('f')], tool_choice: 'always' }, 'tool_choice', 'invalid_value'],
    [
      'tool_choice naming an undeclared tool',
      { tools: [tool('f')], tool_choice: { type: 'function', function: { name: 'g' } } },
      'tool_choice.function.name',
      'invalid_value',
    ],
    ['tool_choice as a number', { tools: [tool('f')], tool_choice: 1 }, 'tool_choice', 'invalid_type'],
    ['parallel_tool_calls without tools', { parallel_tool_calls: true }, 'parallel_tool_calls', 'invalid_value'],
    ['parallel_tool_calls as a string', { tools: [tool('f')], parallel_tool_calls: 'no' }, 'parallel_tool_calls', 'invalid_type'],
    ['functions (deprecated)', { functions: [{ name: 'f' }] }, 'functions', 'unsupported_parameter'],
    ['response_format as a string', { response_format: 'json' }, 'response_format', 'invalid_type'],
    ['response_format of an unknown type', { response_format: { type: 'xml' } }, 'response_format.type', 'invalid_value'],
    [
      'json_schema without its object',
      { response_format: { type: 'json_schema' } },
      'response_format.json_schema',
      'missing_required_parameter',
    ],
    [
      'json_schema without a name',
      { response_format: { type: 'json_schema', json_schema: { schema: {} } } },
      'response_format.json_schema.name',
      'missing_required_parameter',
    ],
    [
      'json_schema strict as a string',
      { response_format: { type: 'json_schema', json_schema: { name: 's', strict: 'yes' } } },
      'response_format.json_schema.strict',
      'invalid_type',
    ],
    [
      'a tool message answering no call',
      { messages: [{ role: 'tool', tool_call_id: 'call_9', content: 'x' }] },
      'messages[0].tool_call_id',
      'invalid_value',
    ],
    [
      'a tool message without tool_call_id',
      { messages: [call, { role: 'tool', content: 'x' }] },
      'messages[1].tool_call_id',
      'missing_required_parameter',
    ],
    [
      'tool call arguments as an object',
      { messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }] },
      'messages[0].tool_calls[0].function.arguments',
      'invalid_type',
    ],
    [
      'tool_calls on a user message',
      { messages: [{ role: 'user', content: 'x', tool_calls: [] }] },
      'messages[0].tool_calls',
      'invalid_value',
    ],
    ['an empty model name', { model: '' }, 'model', 'invalid_value'],
    ['stream_options without stream', { stream_options: { include_usage: true } }, 'stream_options', 'invalid_value'],
    [
      'include_usage as a string',
      { stream: true, stream_options: { include_usage: 'yes' } },
      'stream_options.include_usage',
      'invalid_type',
    ],
  ])('%s', (_name, extra, param, code) => {
    const r = refusal(extra);
    expect({ param: r.param, code: r.code }).toEqual({ param, code });
    expect(r.message.length).toBeGreaterThan(20);
  });

  it('ignores unknown fields as OpenAI does', () => {
    expect(() => parseGenerateBody('chat', { ...base, some_future_field: { x: 1 } })).not.toThrow();
  });

  it('accepts a whole tools conversation and reads every honoured field', () => {
    const p = parseGenerateBody('chat', {
      ...base,
      messages: [{ role: 'user', content: 'weather?' }, call, { role: 'tool', tool_call_id: 'call_1', content: '{"c":21}' }],
      tools: [tool('f')],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logit_bias: { '42': -100 },
      user: 'u-1',
      logprobs: true,
      top_logprobs: 20,
      response_format: { type: 'json_schema', json_schema: { name: 'out', strict: true, schema: { type: 'object' } } },
    });
    expect(p.messages?.[1].toolCalls).toEqual([{ id: 'call_1', name: 'f', arguments: '{}' }]);
    expect(p.messages?.[2].toolCallId).toBe('call_1');
    expect(p.toolChoice).toEqual({ name: 'f' });
    expect([p.presencePenalty, p.frequencyPenalty, p.logitBias, p.user, p.topLogprobs]).toEqual([0.5, -0.5, { '42': -100 }, 'u-1', 20]);
    expect(p.responseFormat).toEqual({ type: 'json_schema', name: 'out', strict: true, schema: { type: 'object' } });
  });
});
