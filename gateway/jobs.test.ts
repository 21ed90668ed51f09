// Async jobs against Azurite and the Cosmos emulator: lifecycle, retries then failure, expiry,
// and a worker process killed mid-job (another worker finishes it; it completes exactly once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, INTERNAL_KEY, BACKEND_SECRET, testModels, type Harness } from '../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../testkit/scripted-agent.js';
import { startTestAzurite, type TestAzurite } from '../testkit/azurite.js';
import { startTestCosmos, type TestCosmos } from '../testkit/cosmos.js';
import { required } from '../lib/required.js';
import { REGISTRY_HEARTBEAT_MS } from '../contracts/registry.js';

let azurite: TestAzurite;
let cosmos: TestCosmos;
let h: Harness;
let agent: ScriptedAgent;
let heartbeat: NodeJS.Timeout | undefined;
const queue = `jobs${Date.now()}`;
const jobsCfg = { worker: true, concurrency: 2, maxAttempts: 2, visibilityTimeoutSeconds: 1, resultTtlSeconds: 3600, pollIntervalMs: 50 };

beforeAll(async () => {
  [azurite, cosmos] = await Promise.all([startTestAzurite(), startTestCosmos()]);
  agent = await startScriptedAgent('job', INTERNAL_KEY);
  h = await startHarness({
    cosmos,
    startWorker: true,
    config: { storage: { connectionString: azurite.connectionString, jobsQueue: queue }, jobs: jobsCfg },
  });
  const entry = { id: 'phi-job', model: 'phi3-mini', address: agent.url };
  await h.register(entry);
  // Heartbeat as a real agent does: on a slow machine the file outlasts the registry's staleness
  // limit, and a child gateway started late must still see a live replica.
  heartbeat = setInterval(() => void h.register(entry).catch(() => undefined), REGISTRY_HEARTBEAT_MS);
});
afterAll(async () => {
  clearInterval(heartbeat);
  await h?.stop();
  await agent?.stop();
  await cosmos?.stop();
  await azurite?.stop();
});

interface JobView {
  id: string;
  status: string;
  attempts: number;
  result?: { choices: { message: { content: string } }[] };
  error?: { code: string; message: string };
}

async function waitJob(id: string, done: (j: JobView) => boolean, customer = 'acme', timeoutMs = 20_000): Promise<JobView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await fetch(`${h.url}/v1/jobs/${id}`, { headers: h.apim(customer) });
    const j = (await r.json()) as JobView;
    if (done(j)) return j;
    if (Date.now() > until) throw new Error(`job ${id} still ${j.status}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
const submit = async (model = 'phi3-mini', content = 'a long task') => {
  const r = await h.post('/v1/jobs', { model, messages: [{ role: 'user', content }] });
  expect(r.status).toBe(202);
  return (await r.json()) as JobView;
};

describe('async jobs', () => {
  it('queues, runs through routing, reports the result; other customers cannot see it', async () => {
    const job = await submit();
    expect(job.status).toBe('queued');
    const done = await waitJob(job.id, (j) => j.status === 'succeeded');
    expect(done.result?.choices[0].message.content).toContain('job-w0');
    expect(done.attempts).toBe(1);
    expect((await fetch(`${h.url}/v1/jobs/${job.id}`, { headers: h.apim('mallory') })).status).toBe(404);
    expect((await fetch(`${h.url}/v1/jobs/job_nope`, { headers: h.apim() })).status).toBe(404);
  });

  it('rejects bad jobs up front', async () => {
    expect((await h.post('/v1/jobs', { model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })).status).toBe(404);
    expect((await h.post('/v1/jobs', '{oops')).status).toBe(400);
  });

  it('retries up to the limit, then fails with the reason', async () => {
    const job = await submit('llama3-70b'); // no llama replica anywhere
    const failed = await waitJob(job.id, (j) => j.status === 'failed');
    expect(failed.attempts).toBe(2);
    expect(failed.error?.message).toMatch(/no ready replica/);
  });

  it('a worker killed mid-job: another one finishes it, exactly once', async () => {
    await required(h.gateway.worker, 'the gateway jobs worker').stop(); // only the child process may take the next job
    const dir = mkdtempSync(join(tmpdir(), 'gw-jobs-'));
    const cfgFile = join(dir, 'gateway.json');
    writeFileSync(
      cfgFile,
      JSON.stringify({
        listen: { host: '127.0.0.1', port: 0 },
        cosmos: { endpoint: cosmos.endpoint, key: cosmos.key, database: cosmos.database, caFile: h.caFile },
        storage: { connectionString: azurite.connectionString, jobsQueue: queue },
        secrets: { backend: { kind: 'static', current: BACKEND_SECRET }, internalServiceKey: { kind: 'static', current: INTERNAL_KEY } },
        models: testModels(),
        jobs: { ...jobsCfg, maxAttempts: 3 },
        telemetry: { logLevel: 'warn' },
      }),
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '..', 'testkit', 'run-gateway.ts'), '--config', cfgFile],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise((r) => child.once('exit', r));
    let childOut = '';
    child.stdout.on('data', (d) => (childOut += d));
    child.stderr.on('data', (d) => (childOut += d));
    try {
      agent.behaviour.delayMs = 30_000; // the child's attempt hangs at the agent…
      const before = agent.seen.length;
      const job = await submit('phi3-mini', 'die while running me');
      // A cold tsx process loading the Azure SDKs can take ~10 s on a busy machine.
      const until = Date.now() + 60_000;
      while (agent.seen.length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(agent.seen.length, childOut).toBe(before + 1);
      child.kill('SIGKILL'); // …and its worker dies without a word
      await exited;
      agent.behaviour.delayMs = 0;
      required(h.gateway.worker, 'the gateway jobs worker').start();
      const done = await waitJob(job.id, (j) => j.status === 'succeeded');
      expect(done.attempts).toBe(2);
      expect(agent.seen.length).toBe(before + 2);
    } finally {
      agent.behaviour.delayMs = 0;
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
