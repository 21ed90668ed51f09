// The agent as a process: config from a file with environment overrides, and SIGTERM draining
// the same way an eviction does (in-flight requests finish, then a clean exit 0).
import { afterEach, describe, expect, it } from 'vitest';
import { required } from '../lib/required.js';
import { applyEnvOverrides, ConfigError, parseAgentConfig } from './config.js';
import { spawnAgent, type SpawnedProcess } from '../testkit/agent-process.js';
import { waitFor } from '../testkit/wait.js';

const KEY = 'process-test-key-0123456789';
const processes: SpawnedProcess[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill('SIGKILL');
});

describe('agent config', () => {
  const base = {
    instanceName: 'vm-1',
    pool: 'phi',
    engine: { type: 'sim', model: 'phi3-mini', gpu: 'T4' },
    auth: { type: 'static', keys: [KEY] },
  };

  it('applies defaults and GPUARB_AGENT_* overrides (nested with __, camelCased, JSON-typed)', () => {
    const raw = applyEnvOverrides(base, {
      GPUARB_AGENT_LISTEN__PORT: '9001',
      GPUARB_AGENT_SCHEDULED_EVENTS__POLL_MS: '250',
      GPUARB_AGENT_ZONE: '3',
      GPUARB_AGENT_LOG__CONTENT: 'true',
      OTHER: 'x',
    });
    const config = parseAgentConfig(raw);
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 9001 });
    expect(config.scheduledEvents).toMatchObject({
      pollMs: 250,
      url: 'http://169.254.169.254/metadata/scheduledevents?api-version=2020-07-01',
    });
    expect(config.zone).toBe('3'); // the env value parses as a number; zone takes it as a string
    expect(config.log.content).toBe(true);
  });

  it('names every invalid field at once', () => {
    let error: unknown;
    try {
      parseAgentConfig({
        ...base,
        pool: 5,
        engine: { type: 'sim', model: 'phi3-mini', gpu: 'V100' },
        auth: { type: 'static', keys: ['short'] },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/pool:/);
    expect(message).toMatch(/engine\.gpu:/);
    expect(message).toMatch(/auth\.keys\.0: keys are at least 16 characters/);
  });
});

describe('agent process', () => {
  it('drains on SIGTERM: readiness fails, the in-flight request completes, exit 0', async () => {
    const agent = await spawnAgent({
      instanceName: 'vm-proc',
      pool: 'phi',
      listen: { host: '127.0.0.1', port: 0 },
      engine: { type: 'sim', model: 'phi3-mini', gpu: 'T4' }, // ~40 ms per token
      auth: { type: 'static', keys: [KEY] },
      scheduledEvents: { enabled: false },
      drain: { sigtermGraceMs: 20_000 },
    });
    processes.push(agent);
    await waitFor('ready', async () => (await fetch(`${agent.url}/health/ready`)).status === 200);
    const res = await fetch(`${agent.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'phi3-mini', prompt: 'sigterm', max_tokens: 40, stream: true }),
    });
    const reader = required(res.body, 'the response body').getReader();
    await reader.read();
    agent.child.kill('SIGTERM');
    await waitFor('draining', () => agent.lines.some((l) => l.msg === 'state' && l.state === 'draining'));
    let body = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      body += new TextDecoder().decode(value);
    }
    expect(body).toMatch(/data: \[DONE\]\n\n$/);
    expect(await agent.exited).toBe(0);
    expect(agent.lines.some((l) => l.msg === 'drained')).toBe(true);
    expect(agent.lines.some((l) => l.msg === 'stopped')).toBe(true);
  });

  it('exits 1 with a message naming the field when the config is invalid', async () => {
    await expect(
      spawnAgent({ instanceName: 'x', pool: 'p', engine: { type: 'warp' }, auth: { type: 'static', keys: [KEY] } }),
    ).rejects.toThrow(/engine\.type/);
  });
});
