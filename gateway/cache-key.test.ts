// Adversarial tests of the cache key: two requests may share a key only if the agent would
// receive the same request for the same model revision (and customer, under per-customer scope).
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, isDeterministic } from './cache-key.js';

const base = { model: 'phi3-mini', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };
const key = (body: Record<string, unknown>, over: Partial<Parameters<typeof cacheKey>[0]> = {}) =>
  cacheKey({ body, model: 'phi3-mini', revision: '', scope: 'global', customer: 'acme', ...over });
const parse = (s: string) => JSON.parse(s) as Record<string, unknown>;

describe('cache key', () => {
  it('ignores key order but not array order', () => {
    expect(key(parse('{"temperature":0,"messages":[{"content":"hi","role":"user"}]}'))).toBe(
      key(parse('{"messages":[{"role":"user","content":"hi"}],"temperature":0}')),
    );
    const two = (a: string, b: string) => ({
      ...base,
      messages: [
        { role: 'user', content: a },
        { role: 'user', content: b },
      ],
    });
    expect(key(two('a', 'b'))).not.toBe(key(two('b', 'a')));
  });
  it('every field that changes the answer is in the key; user (bookkeeping) is not', () => {
    const changing = [
      { presence_penalty: 0.5 },
      { frequency_penalty: 0.5 },
      { logit_bias: { '42': -100 } },
      { seed: 7 },
      { stop: ['x'] },
      { top_p: 0.5 },
      { tools: [{ type: 'function', function: { name: 'f' } }] },
      { tool_choice: 'required' },
      { parallel_tool_calls: false },
      { response_format: { type: 'json_object' } },
      { logprobs: true },
    ];
    const keys = changing.map((v) => key({ ...base, ...v }));
    expect(new Set([...keys, key(base)]).size).toBe(changing.length + 1);
    expect(key({ ...base, user: 'end-user-1' })).toBe(key(base));
  });
  it('keeps JSON types apart: 0 vs "0", null vs absent vs false, 1 vs [1]', () => {
    const variants = [{ seed: 0 }, { seed: '0' }, { seed: null }, {}, { seed: false }, { seed: [0] }, { seed: { 0: 0 } }];
    const keys = variants.map((v) => key({ ...base, ...v }));
    expect(new Set(keys).size).toBe(variants.length);
  });
  it('does not normalise unicode and survives escapes and lone surrogates', () => {
    const k = (content: string) => key({ ...base, messages: [{ role: 'user', content }] });
    expect(k('caf\u00e9')).not.toBe(k('cafe\u0301')); // NFC vs NFD
    expect(k('\ud83d')).not.toBe(k('\ufffd'));
    expect(k('a\u0000b')).not.toBe(k('ab'));
    expect(k('"hi"')).not.toBe(k('hi'));
    // The same string written with and without escapes is the same request.
    expect(key(parse('{"temperature":0,"messages":[{"role":"user","content":"\\u00e9"}]}'))).toBe(k('é'));
  });
  it('treats missing and default-valued fields as different requests', () => {
    expect(key({ ...base, max_tokens: 16 })).not.toBe(key(base));
    expect(key({ ...base, top_p: 1 })).not.toBe(key(base));
    expect(key({ ...base, stop: [] })).not.toBe(key(base));
    expect(key({ ...base, max_tokens: 16 })).not.toBe(key({ ...base, max_completion_tokens: 16 }));
  });
  it('covers every answer-changing field, including unknown ones', () => {
    const fields: Record<string, unknown>[] = [
      { tools: [{ type: 'function', function: { name: 'f' } }] },
      { tool_choice: 'none' },
      { response_format: { type: 'json_object' } },
      { stop: ['x'] },
      { max_tokens: 5 },
      { seed: 7 },
      { presence_penalty: 0.5 },
      { frequency_penalty: 0.5 },
      { logit_bias: { 1: 2 } },
      { logprobs: true },
      { top_logprobs: 2 },
      { top_p: 0.5 },
      { parallel_tool_calls: false },
      { some_future_field: 1 },
    ];
    const keys = fields.map((f) => key({ ...base, ...f }));
    expect(new Set([...keys, key(base)]).size).toBe(fields.length + 1);
  });
  it('ignores only transport fields: stream, stream_options, user', () => {
    expect(key({ ...base, stream: true, stream_options: { include_usage: true }, user: 'u1' })).toBe(key(base));
  });
  it('separates models, revisions, scopes and customers', () => {
    expect(key(base, { model: 'mixtral-8x7b' })).not.toBe(key(base));
    expect(key(base, { revision: 'v2' })).not.toBe(key(base));
    expect(key(base, { scope: 'per-customer' })).not.toBe(key(base));
    expect(key(base, { scope: 'per-customer', customer: 'a' })).not.toBe(key(base, { scope: 'per-customer', customer: 'b' }));
    expect(key(base, { customer: 'a' })).toBe(key(base, { customer: 'b' })); // global scope shares
  });
  it('cannot be confused by __proto__ keys or delimiter tricks', () => {
    expect(key(parse('{"temperature":0,"messages":[],"__proto__":{"x":1}}'))).not.toBe(key(parse('{"temperature":0,"messages":[]}')));
    expect(key(base, { scope: 'per-customer', customer: 'a","model":"x' })).not.toBe(
      key(base, { scope: 'per-customer', customer: 'a', model: 'x' }),
    );
    expect(canonicalJson(parse('{"b":1,"a":{"d":[3,{"f":1,"e":2}],"c":null}}'))).toBe('{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}');
  });
  it('caches only deterministic requests', () => {
    expect(isDeterministic({ temperature: 0 })).toBe(true);
    expect(isDeterministic({ temperature: 0.7, seed: 42 })).toBe(true);
    expect(isDeterministic({})).toBe(false);
    expect(isDeterministic({ temperature: '0' })).toBe(false);
    expect(isDeterministic({ temperature: 0.2 })).toBe(false);
    expect(isDeterministic({ seed: 1.5 })).toBe(false);
    expect(isDeterministic({ seed: '42' })).toBe(false);
    expect(isDeterministic({ temperature: 0, n: 2 })).toBe(false);
  });
});
