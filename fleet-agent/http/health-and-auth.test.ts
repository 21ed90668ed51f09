// Health transitions (starting → ready → draining), the Application Health rich state, /metrics,
// key rotation through a watched file, and cancellation when the client disconnects.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { required } from '../../lib/required.js';
import { FakeClock } from '../../testkit/fake-clock.js';
import { SimEngine } from '../engines/sim/sim-engine.js';
import { startTestAgent, type TestAgent } from '../../testkit/agent.js';
import { waitFor } from '../../testkit/wait.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function agent(...args: Parameters<typeof startTestAgent>): Promise<TestAgent> {
  const t = await startTestAgent(...args);
  cleanups.push(() => t.stop());
  return t;
}

const status = async (url: string) => (await fetch(url)).status;
const appHealth = async (url: string) =>
  ((await (await fetch(`${url}/health/app`)).json()) as { ApplicationHealthState: string }).ApplicationHealthState;
const chatBody = JSON.stringify({ model: 'phi3-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });

describe('health', () => {
  it('goes starting → ready → draining, and probes need no key', async () => {
    const clock = new FakeClock();
    const engine = new SimEngine({ model: 'phi3-mini', gpu: 'none', clock, loadMs: 60_000 });
    const t = await agent({}, { engine });
    expect(await status(`${t.url}/health/live`)).toBe(200);
    expect(await status(`${t.url}/health/startup`)).toBe(200);
    expect(await status(`${t.url}/health/ready`)).toBe(503);
    expect(await appHealth(t.url)).toBe('Initializing'); // loading: not a failure
    const early = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: t.headers, body: chatBody });
    expect(early.status).toBe(503);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('replica_starting');

    await clock.advance(60_000); // the model finishes loading
    expect(await status(`${t.url}/health/ready`)).toBe(200);
    expect(await appHealth(t.url)).toBe('Healthy');
    expect((await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: t.headers, body: chatBody })).status).toBe(200);

    void t.agent.drain('test', 10_000);
    expect(await status(`${t.url}/health/ready`)).toBe(503);
    expect(await status(`${t.url}/health/live`)).toBe(200);
    expect(await appHealth(t.url)).toBe('Unhealthy');
    const refused = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: t.headers, body: chatBody });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('replica_draining');
    expect(t.lines.some((l) => l.msg === 'state' && l.state === 'draining')).toBe(true);
  });

  it('reports Initializing while the model loads and Unhealthy once the load has failed', async () => {
    const clock = new FakeClock();
    const engine = new SimEngine({ model: 'phi3-mini', gpu: 'none', clock, loadMs: 60_000, failLoad: true });
    const t = await agent({}, { engine });
    expect(await appHealth(t.url)).toBe('Initializing');
    await clock.advance(60_000);
    await waitFor('the failed load', () => engine.status() === 'failed');
    expect(await appHealth(t.url)).toBe('Unhealthy');
    expect(await status(`${t.url}/health/ready`)).toBe(503);
  });

  it('serves Prometheus metrics behind the internal key', async () => {
    const t = await agent();
    await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: t.headers, body: chatBody });
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const text = await (await fetch(`${t.url}/metrics`, { headers: t.headers })).text();
    expect(text).toMatch(/gpuarb_agent_requests_total\{route="\/v1\/chat\/completions",status="200"\} 1/);
    expect(text).toMatch(/gpuarb_agent_tokens_total\{kind="completion"\} 4/);
    expect(text).toMatch(/gpuarb_agent_request_duration_seconds_bucket\{route="\/v1\/chat\/completions",le="\+Inf"\} 1/);
    for (const name of [
      'gpuarb_agent_in_flight 0',
      'gpuarb_agent_queue 0',
      'gpuarb_agent_state{state="ready"} 1',
      'gpuarb_agent_evictions_total',
      'gpuarb_agent_time_to_first_token_seconds_count 1',
    ])
      expect(text).toContain(name);
  });

  it('logs requests as JSON with the caller request id and no prompt text', async () => {
    const t = await agent();
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...t.headers, 'x-request-id': 'req-abc.1' },
      body: JSON.stringify({ model: 'phi3-mini', messages: [{ role: 'user', content: 'SECRET-PROMPT' }], max_tokens: 3 }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-abc.1');
    await res.text();
    const line = await waitFor('the access log line', () => t.lines.find((l) => l.msg === 'request' && l.requestId === 'req-abc.1'));
    expect(line).toMatchObject({ status: 200, promptTokens: expect.any(Number), completionTokens: 3, level: 'info' });
    expect(JSON.stringify(t.lines)).not.toContain('SECRET-PROMPT');
  });
});

describe('key rotation', () => {
  it('accepts current and previous keys from a watched file, and drops the retired one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpuarb-keys-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'internal-service-key.json');
    // Writes go through a rename, as a rotator should, so readers never see half a file.
    const writeKeys = (keys: object) => {
      writeFileSync(`${file}.tmp`, JSON.stringify(keys));
      renameSync(`${file}.tmp`, file);
    };
    const [a, b, c] = ['key-a-0123456789abcdef', 'key-b-0123456789abcdef', 'key-c-0123456789abcdef'];
    writeKeys({ current: a });
    const t = await agent({ auth: { type: 'file', path: file, pollMs: 200 } });
    const models = (key: string) => status2(`${t.url}/v1/models`, key);
    expect(await models(a)).toBe(200);
    expect(await models(b)).toBe(401);
    writeKeys({ current: b, previous: a });
    await waitFor('key b accepted', async () => (await models(b)) === 200);
    expect(await models(a)).toBe(200); // the overlap: both work
    writeKeys({ current: c, previous: b });
    await waitFor('key a retired', async () => (await models(a)) === 401);
    expect(await models(b)).toBe(200);
    expect(await models(c)).toBe(200);
    writeFileSync(file, ''); // a broken file keeps the last good keys
    await waitFor('the bad file noticed', () => t.lines.some((l) => l.msg === 'key file unreadable; keeping the previous keys'));
    expect(await models(c)).toBe(200);
  });
});

async function status2(url: string, key: string): Promise<number> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
}

describe('client disconnect', () => {
  it('cancels the generation and frees the engine slot', async () => {
    // One token a second: finishing naturally would take far longer than the wait below.
    const engine = new SimEngine({ model: 'phi3-mini', gpu: 'none', overrides: { tpotMs: 1000 } });
    const t = await agent({}, { engine });
    const controller = new AbortController();
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ model: 'phi3-mini', messages: [{ role: 'user', content: 'long' }], max_tokens: 1000, stream: true }),
      signal: controller.signal,
    });
    const reader = required(res.body, 'the response body').getReader();
    await reader.read(); // the stream has started
    expect(engine.load().running).toBe(1);
    controller.abort();
    await waitFor('the engine slot to be freed', () => engine.load().running === 0 && t.agent.lifecycle.inFlightCount() === 0, 3000);
    await waitFor('the cancellation to be counted', () => t.agent.metrics.cancelled.get() === 1, 3000);
  });
});
