// The whole platform on the local cloud, driven as an operator and a customer would: `gpuarb up
// --local`, the stock openai client through the local API Management, cache, customer keys,
// rate limit and quota, scale, an eviction and a key rotation under steady load, logs, status,
// usage, and `down --local` leaving no process behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../lib/required.js';
import { runGpuarb } from '../../testkit/cli.js';
import { httpsClient, steadyLoad } from '../../testkit/https-client.js';
import { waitFor as waitUntil } from '../../testkit/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'gpuarb-e2e-'));
const stateDir = join(dir, '.gpuarb', 'local');
const env = { CI: '1', HOME: dir };
const cli = async (...args: string[]) => {
  const r = await runGpuarb([...args, '--json'], { cwd: dir, env });
  return { code: r.code, body: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
};

let apiUrl: string;
let key: string;
let ca: string;
let http: ReturnType<typeof httpsClient>;
let served = 0; // successful answers to the demo customer, for the usage check
const chat = (k: string, body: Record<string, unknown> = {}) =>
  http.send(`${apiUrl}/chat/completions`, {
    headers: { authorization: `Bearer ${k}` },
    body: { model: 'phi3-mini', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 8, ...body },
  });
const countServed = async (p: ReturnType<typeof chat>) => {
  const r = await p;
  if (r.status === 200) served++;
  return r;
};

/** The whole platform moves slowly: a minute by default, polled every 250 ms. */
const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000) => waitUntil(what, fn, timeoutMs, 250);

async function compute() {
  const info = JSON.parse(readFileSync(join(stateDir, 'daemon.json'), 'utf8'));
  const token = readFileSync(join(stateDir, 'token'), 'utf8').trim();
  const { ComputeManagementClient } = await import('@azure/arm-compute');
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  return new ComputeManagementClient(credential, info.subscriptionId, { endpoint: info.endpoint, tlsOptions: { ca } } as never);
}

async function poolVms(pool: string): Promise<string[]> {
  const c = await compute();
  const names: string[] = [];
  for await (const vm of c.virtualMachines.list('rg-e2e-local'))
    if (vm.tags?.['gpuarb-pool'] === pool) names.push(required(vm.name, 'a VM name'));
  return names;
}

const processesOfStack = () => spawnSync('pgrep', ['-f', dir]).stdout.toString().trim().split('\n').filter(Boolean);

beforeAll(async () => {
  copyFileSync(join(dirname(fileURLToPath(import.meta.url)), 'local-platform.gpuarb.yaml'), join(dir, 'gpuarb.yaml'));
  // Exactly the README's quick start: no --yes needed for the local cloud.
  const up = await cli('up', '--local');
  expect(up.code, up.stderr).toBe(0);
  apiUrl = up.body.apiUrl;
  key = up.body.local.key;
  ca = readFileSync(up.body.local.caCertPath, 'utf8');
  http = httpsClient(ca);
}, 300_000);

afterAll(async () => {
  http?.close();
  const down = await cli('down', '--local');
  expect(down.code, down.stderr).toBe(0);
  expect(down.body.localCloudStopped).toBe(true);
  expect(processesOfStack()).toEqual([]);
}, 120_000);

describe('gpuarb up --local', () => {
  it('brings the platform up with ready pools, an OpenAI base URL and a customer key', () => {
    expect(apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(key).toMatch(/^sk-gpuarb-[0-9a-f]{64}$/);
    expect(readFileSync(join(stateDir, 'customer-key'), 'utf8').trim()).toBe(key);
  });

  it('serves the stock openai client (chat and stream) through API Management', () => {
    const script = `const OpenAI = require('openai');
      const c = new OpenAI({ baseURL: ${JSON.stringify(apiUrl)}, apiKey: process.env.KEY });
      (async () => {
        const r = await c.chat.completions.create({ model: 'phi3-mini', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 12 });
        let streamed = '', chunks = 0;
        const stream = await c.chat.completions.create({
          model: 'phi3-mini', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 12, stream: true,
        });
        for await (const ch of stream) { chunks++; streamed += ch.choices[0]?.delta?.content ?? ''; }
        console.log(JSON.stringify({ content: r.choices[0].message.content, fingerprint: r.system_fingerprint, usage: r.usage, streamed, chunks }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, KEY: key, NODE_EXTRA_CA_CERTS: join(stateDir, 'ca-cert.pem') },
      timeout: 60_000,
    }).toString();
    const r = JSON.parse(out);
    served += 2;
    expect(r.content.length).toBeGreaterThan(0);
    expect(r.fingerprint).toMatch(/^simulated-/);
    expect(r.usage.completion_tokens).toBeGreaterThan(0);
    expect(r.chunks).toBeGreaterThan(2);
    expect(r.streamed.length).toBeGreaterThan(0);
  });

  it('answers the same deterministic request from the cache', async () => {
    const body = { temperature: 0, messages: [{ role: 'user', content: `cache me ${Date.now()}` }] };
    const first = await countServed(chat(key, body));
    const second = await countServed(chat(key, body));
    expect([first.status, first.headers['x-gpuarb-cache']]).toEqual([200, 'miss']);
    expect([second.status, second.headers['x-gpuarb-cache']]).toEqual([200, 'hit']);
    expect(JSON.parse(second.body).choices).toEqual(JSON.parse(first.body).choices);
  });

  it('runs a long request as an async job through the queue', async () => {
    const auth = { authorization: `Bearer ${key}` };
    const queued = await http.send(`${apiUrl}/jobs`, {
      headers: auth,
      body: { model: 'phi3-mini', messages: [{ role: 'user', content: 'a job' }], max_tokens: 8 },
    });
    expect(queued.status, queued.body).toBe(202);
    const { id } = JSON.parse(queued.body);
    const done = await waitFor(
      'the job to finish',
      async () => {
        const r = JSON.parse((await http.send(`${apiUrl}/jobs/${id}`, { headers: auth })).body);
        return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
      },
      60_000,
    );
    served += 1;
    expect(done.status).toBe('succeeded');
    expect(done.result.choices[0].message.content.length).toBeGreaterThan(0);
  }, 90_000);

  it('keys: a new key works, the tier rate limit answers 429, a revoked key 401', async () => {
    const created = await cli('keys', 'create', 'acme', '--tier', 'tiny', '--local');
    expect(created.code, created.stderr).toBe(0);
    const acme = created.body.key as string;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await chat(acme)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await cli('keys', 'revoke', 'acme', '--local')).code).toBe(0);
    const after = await chat(acme);
    expect(after.status).toBe(401);
  });

  it('quota: over the period quota answers 403', async () => {
    const created = await cli('keys', 'create', 'capco', '--tier', 'capped', '--local');
    const k = created.body.key as string;
    expect([(await chat(k)).status, (await chat(k)).status, (await chat(k)).status]).toEqual([200, 200, 403]);
  });

  it('scale: up to 3 ready phi3 instances and back down to 2', async () => {
    const up = await cli('scale', 'phi3', '--to', '3', '--local', '--timeout', '120');
    expect(up.code, up.stderr).toBe(0);
    expect(await poolVms('phi3')).toHaveLength(3);
    const down = await cli('scale', 'phi3', '--to', '2', '--local', '--timeout', '120');
    expect(down.code, down.stderr).toBe(0);
    expect(await poolVms('phi3')).toHaveLength(2);
  }, 240_000);

  it('an eviction during steady load fails no request', async () => {
    const load = steadyLoad(() => countServed(chat(key, { temperature: 0.7 })), 3);
    await waitFor('load to start', async () => load.ok() > 5);
    const [victim] = await poolVms('phi3');
    await (await compute()).virtualMachines.simulateEviction('rg-e2e-local', victim);
    await waitFor('the evicted VM to go', async () => !(await poolVms('phi3')).includes(victim), 60_000);
    const before = load.ok();
    await waitFor('more answers after the eviction', async () => load.ok() > before + 10);
    const counts = await load.stop();
    expect(counts).toEqual({ '200': expect.any(Number) });
  }, 120_000);

  it('logs show the eviction notice', async () => {
    const logs = await waitFor(
      'the eviction in the logs',
      async () => {
        const r = await cli('logs', '--local', '--since', '15m', '--grep', 'eviction notice');
        return r.code === 0 && JSON.stringify(r.body).includes('eviction notice') ? r : undefined;
      },
      30_000,
    );
    expect(JSON.stringify(logs.body)).toContain('phi3');
  });

  it('status is degraded while a pool is below its minimum; autoscale restores the minimum', async () => {
    // phi3 has one VM left (min 1). With autoscale off, evicting it leaves the pool below min.
    expect((await cli('scale', 'phi3', '--autoscale', 'off', '--local')).code).toBe(0);
    const [last] = await poolVms('phi3');
    await (await compute()).virtualMachines.simulateEviction('rg-e2e-local', last);
    await waitFor('the pool to be empty', async () => (await poolVms('phi3')).length === 0, 60_000);
    const status = await cli('status', '--local');
    expect(status.code).toBe(8);
    expect(status.body.degraded).toBe(true);
    expect(status.body.gateway).toMatchObject({ ready: true });
    // Autoscale back on: its profile minimum brings an instance back without an operator.
    expect((await cli('scale', 'phi3', '--autoscale', 'on', '--local')).code).toBe(0);
    await waitFor('autoscale to restore the minimum', async () => (await poolVms('phi3')).length === 1, 60_000);
    expect((await cli('scale', 'phi3', '--to', '2', '--local', '--timeout', '120')).code).toBe(0);
  }, 180_000);

  it('a key rotation during steady load fails no request', async () => {
    const load = steadyLoad(() => countServed(chat(key, { temperature: 0.7 })), 3);
    await waitFor('load to start', async () => load.ok() > 5);
    const rotated = await cli('secrets', 'rotate', 'internal-service-key', '--local');
    expect(rotated.code, rotated.stderr).toBe(0);
    const before = load.ok();
    // The key files follow Key Vault within a second; keep the load on well past that.
    await waitFor('answers after the rotation', async () => load.ok() > before + 30, 60_000);
    const counts = await load.stop();
    expect(counts).toEqual({ '200': expect.any(Number) });
  }, 120_000);

  it('loadtest --local: an easy SLO passes, a strict one exits 16 naming the objective', async () => {
    const easy = await cli('loadtest', '--local', '--rate', '5', '--duration', '4s', '--model', 'phi3-mini', '--slo', 'errors<1%,p95<20s');
    expect(easy.code, easy.stderr).toBe(0);
    expect(easy.body.overall.errorRate).toBe(0);
    expect(easy.body.overall.requests).toBeGreaterThan(5);
    const strict = await cli('loadtest', '--local', '--rate', '5', '--duration', '2s', '--model', 'phi3-mini', '--slo', 'p95<1ms');
    expect(strict.code).toBe(16);
    expect(strict.stderr).toMatch(/p95/);
  }, 60_000);

  it('usage matches what was served to the customer', async () => {
    const report = await waitFor(
      'metering to catch up',
      async () => {
        const r = await cli('usage', '--local', '--customer', 'local-demo');
        return r.body?.totals?.requests === served ? r.body : undefined;
      },
      30_000,
    ).catch(async () => (await cli('usage', '--local', '--customer', 'local-demo')).body);
    expect(report.totals.requests).toBe(served);
  });
});
