// The llamacpp engine on real llama.cpp (node-llama-cpp, CPU, one thread) and a tiny random-weight
// GGUF written by the test: real tokenisation, batching of parallel sequences, sampling and the
// OpenAI API on top. The text is gibberish by construction; the mechanics are what is tested.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../config.js';
import { memoryLogger } from '../../log.js';
import { startTestAgent, type TestAgent } from '../../../testkit/agent.js';
import { writeTinyLlamaGguf } from '../../../testkit/fixtures/tiny-gguf.js';
import type { GenerateEvent, GenerateRequest } from '../engine.js';
import { LlamaCppEngine } from './llamacpp-engine.js';
import { SequencePool } from './sequence-pool.js';

let dir: string;
let engine: LlamaCppEngine;
let t: TestAgent;
let client: OpenAI;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gpuarb-gguf-'));
  const modelPath = writeTinyLlamaGguf(join(dir, 'tiny.gguf'));
  const config = parseAgentConfig({
    instanceName: 'cpu-0',
    pool: 'tiny',
    auth: { type: 'static', keys: ['k'.repeat(16)] },
    engine: { type: 'llamacpp', model: 'tiny-llama', modelPath, contextSize: 256, parallel: 2, maxQueue: 8, gpu: false, maxThreads: 1 },
  });
  engine = new LlamaCppEngine(config.engine as Extract<typeof config.engine, { type: 'llamacpp' }>, memoryLogger().logger);
  await engine.start();
  await engine.whenReady();
  t = await startTestAgent({ engine: config.engine }, { engine });
  client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: t.key, maxRetries: 0 });
}, 60_000);
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const completion = (prompt: string, maxTokens: number, signal = new AbortController().signal): GenerateRequest => ({
  kind: 'completion',
  prompt,
  maxTokens,
  temperature: 0.8,
  seed: 1,
  requestId: 'r',
  signal,
});

async function collect(req: GenerateRequest) {
  const events: GenerateEvent[] = [];
  for await (const e of engine.generate(req)) events.push(e);
  return events;
}

describe('llamacpp engine (tiny random GGUF, real llama.cpp)', () => {
  it('loads the model and reports its context', () => {
    expect(engine.status()).toBe('ready');
    expect(engine.contextLength).toBeGreaterThanOrEqual(256);
  });

  it('generates up to max_tokens with real token counts', async () => {
    const events = await collect(completion('hello world', 12));
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.usage.promptTokens).toBe(engine.countPromptTokens(completion('hello world', 1)));
    expect(done.usage.completionTokens).toBeGreaterThan(0);
    expect(done.usage.completionTokens).toBeLessThanOrEqual(12);
  });

  it('decodes more requests than sequences: the extra ones queue, all finish', async () => {
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => collect(completion(`prompt ${i}`, 8))));
    for (const r of results) expect(r.at(-1)?.type).toBe('done');
    expect(engine.load()).toEqual({ running: 0, waiting: 0, cacheUsage: null });
  });

  it('stops generating when aborted and frees the sequence', async () => {
    const controller = new AbortController();
    const run = (async () => {
      let n = 0;
      for await (const e of engine.generate(completion('abort', 200, controller.signal))) {
        if (e.type === 'text' && ++n === 2) controller.abort(new Error('gone'));
      }
    })();
    await expect(run).rejects.toThrow('gone');
    expect(engine.load().running).toBe(0);
  });

  it('serves the OpenAI API: chat, stream with usage, models, and context errors', async () => {
    const chat = await client.chat.completions.create({
      model: 'tiny-llama',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello' },
      ],
      max_tokens: 10,
    });
    expect(chat.system_fingerprint).toBe('llamacpp-tiny-llama');
    expect(chat.usage?.prompt_tokens).toBeGreaterThan(2);
    expect(chat.usage?.completion_tokens).toBeLessThanOrEqual(10);
    const stream = await client.chat.completions.create({
      model: 'tiny-llama',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    expect(usage?.completion_tokens).toBeLessThanOrEqual(6);
    expect((await client.models.list()).data[0].id).toBe('tiny-llama');
    const err = await client.completions
      .create({ model: 'tiny-llama', prompt: 'the model '.repeat(200), max_tokens: 10 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });
});

describe('OpenAI sampling fields on llama.cpp', () => {
  // Token 297 of the fixture's vocabulary is "▁world": a +100 logit bias makes it every token.
  const WORLD = '297';
  const ask = (extra: object) =>
    client.chat.completions.create({ model: 'tiny-llama', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, ...extra });

  it('logit_bias is added to the logits: +100 forces the token', async () => {
    const biased = await ask({ logit_bias: { [WORLD]: 100 } });
    expect(biased.choices[0].message.content).toBe('world world world world');
    expect(biased.usage?.completion_tokens).toBe(4);
  });

  it('presence and frequency penalties are applied: the forced token is pushed out once it repeats', async () => {
    // +3 bias against frequency_penalty 2: after two occurrences the token's logit is back below the rest.
    const penalised = await ask({ logit_bias: { [WORLD]: 3 }, frequency_penalty: 2, presence_penalty: 2, max_tokens: 8, temperature: 0 });
    const worlds = (penalised.choices[0].message.content ?? '').split(' world').length - 1;
    const unpenalised = await ask({ logit_bias: { [WORLD]: 3 }, max_tokens: 8, temperature: 0 });
    expect(worlds).toBeLessThan((unpenalised.choices[0].message.content ?? '').split(' world').length - 1);
  });

  it('a logit_bias token outside the vocabulary is a 400 naming logit_bias', async () => {
    await expect(ask({ logit_bias: { '99999': 1 } })).rejects.toMatchObject({ status: 400, param: 'logit_bias', code: 'invalid_value' });
  });

  it('fields this engine does not honour are refused, never ignored', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } }];
    await expect(ask({ tools })).rejects.toMatchObject({ status: 400, param: 'tools', code: 'unsupported_parameter' });
    await expect(ask({ logprobs: true })).rejects.toMatchObject({ status: 400, param: 'logprobs', code: 'unsupported_parameter' });
    await expect(ask({ response_format: { type: 'json_object' } })).rejects.toMatchObject({ status: 400, param: 'response_format' });
  });
});

describe('sequence pool', () => {
  it('hands out items, queues beyond them, refuses beyond the queue, and honours abort', async () => {
    const pool = new SequencePool(['a'], 1);
    const signal = new AbortController().signal;
    const first = await pool.acquire(signal);
    const controller = new AbortController();
    const queued = pool.acquire(controller.signal);
    await expect(pool.acquire(signal)).rejects.toMatchObject({ status: 503, code: 'engine_overloaded' });
    controller.abort(new Error('left'));
    await expect(queued).rejects.toThrow('left');
    const next = pool.acquire(signal);
    pool.release(first);
    expect(await next).toBe('a');
  });
});
