// The vllm adapter against a real process: the simulator run as a vLLM-compatible server
// (`gpuarb-agent sim-vllm serve …`) in place of `vllm serve`. Start, readiness, proxying through
// the agent's OpenAI API, load from vLLM's metrics, a crash and the restart with backoff.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../../lib/required.js';
import { parseAgentConfig, type AgentConfigInput } from '../../config.js';
import { memoryLogger } from '../../log.js';
import { startTestAgent, type TestAgent } from '../../../testkit/agent.js';
import { waitFor } from '../../../testkit/wait.js';
import { sumMetric } from './prometheus-text.js';
import { VllmEngine } from './vllm-engine.js';
import { vllmServeArgs } from './vllm-supervisor.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FAKE_VLLM = [process.execPath, '--import', 'tsx', join(root, 'fleet-agent', 'main.ts'), 'sim-vllm', 'serve'];

const vllmConfig = (extra: Partial<Extract<AgentConfigInput['engine'], { type: 'vllm' }>> = {}) =>
  parseAgentConfig({
    instanceName: 'gpu-0',
    pool: 'phi',
    auth: { type: 'static', keys: ['k'.repeat(16)] },
    engine: {
      type: 'vllm',
      model: 'phi3-mini',
      source: 'microsoft/Phi-3-mini-4k-instruct',
      command: FAKE_VLLM,
      port: 0,
      contextLength: 4096,
      restartBackoff: { initialMs: 100, maxMs: 1000 },
      metricsPollMs: 50,
      extraArgs: ['--sim-gpu', 'T4', '--sim-load-ms', '300'],
      ...extra,
    },
  }).engine as Extract<ReturnType<typeof parseAgentConfig>['engine'], { type: 'vllm' }>;

let engine: VllmEngine;
let t: TestAgent;
const log = memoryLogger();

beforeAll(async () => {
  engine = new VllmEngine(vllmConfig(), log.logger);
  t = await startTestAgent({ engine: vllmConfig() }, { engine });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('vllm adapter (against the sim as a vLLM-compatible process)', () => {
  it('builds the vllm serve command line from the pool', () => {
    const args = vllmServeArgs(vllmConfig({ quantization: 'awq', tensorParallelSize: 4, dtype: 'bfloat16', extraArgs: [] }), 8000);
    expect(args).toEqual([
      'microsoft/Phi-3-mini-4k-instruct',
      '--host',
      '127.0.0.1',
      '--port',
      '8000',
      '--served-model-name',
      'phi3-mini',
      '--tensor-parallel-size',
      '4',
      '--dtype',
      'bfloat16',
      '--max-model-len',
      '4096',
      '--quantization',
      'awq',
    ]);
  });

  it('is started (loading) before it is ready, then ready once vLLM answers /health', async () => {
    // The fake vLLM takes 300 ms to "load"; startup probes pass before readiness does.
    await waitFor('startup', async () => (await fetch(`${t.url}/health/startup`)).status === 200, 20_000);
    await waitFor('ready', async () => (await fetch(`${t.url}/health/ready`)).status === 200, 20_000);
    expect(engine.status()).toBe('ready');
    expect(log.lines.some((l) => l.msg === 'vllm ready')).toBe(true);
  });

  it('proxies chat and completions, streamed and not, with usage', async () => {
    const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: t.key, maxRetries: 0 });
    const chat = await client.chat.completions.create({
      model: 'phi3-mini',
      messages: [{ role: 'user', content: 'hello vllm' }],
      max_tokens: 5,
    });
    expect(chat.choices[0].message.content).toMatch(/\w/);
    expect(chat.usage).toMatchObject({ completion_tokens: 5 });
    expect(chat.system_fingerprint).toBe('vllm-phi3-mini');
    const stream = await client.completions.create({
      model: 'phi3-mini',
      prompt: 'tell me',
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.text ?? '';
      usage = c.usage ?? usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBe(4);
  });

  it("passes vLLM's own 400 on (the prompt is longer than the context)", async () => {
    const res = await fetch(`${t.url}/v1/completions`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ model: 'phi3-mini', prompt: 'x'.repeat(20_000), max_tokens: 10 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'context_length_exceeded',
      message: expect.stringMatching(/maximum context length/),
    });
  });

  it("reads running requests from vLLM's Prometheus metrics", async () => {
    const res = await fetch(`${t.url}/v1/completions`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ model: 'phi3-mini', prompt: 'slow', max_tokens: 60, stream: true }),
    });
    const reader = required(res.body, 'the response body').getReader();
    await reader.read();
    await waitFor('vllm:num_requests_running = 1', () => engine.load().running === 1, 5000);
    expect(engine.load().cacheUsage).toBeGreaterThan(0);
    await reader.cancel();
    await waitFor('the request to end in vLLM too', () => engine.load().running === 0, 5000);
    expect(
      sumMetric(
        'vllm:num_requests_running{model_name="a"} 2\nvllm:num_requests_running_total 9\nvllm:num_requests_running{model_name="b"} 1 1700000000',
        'vllm:num_requests_running',
      ),
    ).toBe(3);
  });

  it('restarts vLLM with backoff when it dies, and serves again', async () => {
    const pid = required(required(engine.supervisor, 'the vLLM supervisor').pid, 'the vLLM pid');
    process.kill(pid, 'SIGKILL');
    await waitFor('not ready after the crash', () => engine.status() !== 'ready', 5000);
    expect((await fetch(`${t.url}/health/ready`)).status).toBe(503);
    await waitFor('ready again', () => engine.status() === 'ready', 20_000);
    expect(engine.supervisor?.pid).not.toBe(pid);
    expect(engine.supervisor?.restarts).toBe(1);
    expect(log.lines.find((l) => l.msg === 'vllm exited; restarting')).toMatchObject({ signal: 'SIGKILL', restartInMs: 100 });
    const res = await fetch(`${t.url}/v1/completions`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ model: 'phi3-mini', prompt: 'again', max_tokens: 2 }),
    });
    expect(res.status).toBe(200);
  });
});
