// `gpuarb loadtest` against the real engine peer: the fleet agent as a process with the `sim`
// engine (a latency-faithful simulator of phi3-mini on a T4, ~40 ms per token), OpenAI API and
// Bearer auth with its internal key. Small max_tokens keep each request short.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGpuarb } from '../../testkit/cli.js';
import { spawnAgent, type SpawnedProcess } from '../../testkit/agent-process.js';

const KEY = 'loadtest-internal-key-0123456789';
let agent: SpawnedProcess & { url: string };
let cwd: string;

beforeAll(async () => {
  agent = await spawnAgent({
    instanceName: 'vm-loadtest',
    pool: 'phi3',
    listen: { host: '127.0.0.1', port: 0 },
    engine: { type: 'sim', model: 'phi3-mini', gpu: 'T4' },
    auth: { type: 'static', keys: [KEY] },
    scheduledEvents: { enabled: false },
  });
  cwd = mkdtempSync(join(tmpdir(), 'gpuarb-loadtest-agent-'));
  const line = (i: number) =>
    JSON.stringify({ model: 'phi3-mini', messages: [{ role: 'user', content: `question ${i % 4}` }], max_tokens: 4, temperature: 0 });
  writeFileSync(join(cwd, 'agent.key'), KEY);
  writeFileSync(join(cwd, 'wrong.key'), 'not-the-internal-key');
  writeFileSync(join(cwd, 'short.jsonl'), `${Array.from({ length: 8 }, (_, i) => line(i)).join('\n')}\n`);
});
afterAll(async () => {
  await agent?.kill('SIGKILL');
});

describe('gpuarb loadtest against the fleet agent (sim engine)', () => {
  it('streams from the agent: TTFT and per-token figures, an easy SLO met', async () => {
    const r = await runGpuarb(
      [
        'loadtest',
        '--url',
        `${agent.url}/v1`,
        '--key-file',
        'agent.key',
        '--rate',
        '8',
        '--duration',
        '2s',
        '--workload',
        'short.jsonl',
        '--stream',
        '--json',
        '--slo',
        'errors<1%,p99<10s',
      ],
      { cwd },
    );
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.overall.failed).toBe(0);
    expect(report.overall.requests).toBeGreaterThan(4);
    expect(report.overall.ttftMs.p50).toBeGreaterThan(0);
    // The sim answers at a T4's pace: several ms per output token, never instant.
    expect(report.overall.tpotMs.p50).toBeGreaterThan(5);
    expect(report.overall.tokensPerSec).toBeGreaterThan(0);
    expect(report.slo.passed).toBe(true);
  });

  it("is refused at preflight with the agent's 401 for a wrong key", async () => {
    const r = await runGpuarb(
      ['loadtest', '--url', `${agent.url}/v1`, '--key-file', 'wrong.key', '--rate', '5', '--duration', '1s', '--model', 'phi3-mini'],
      { cwd },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected the key \(HTTP 401/);
  });
});
