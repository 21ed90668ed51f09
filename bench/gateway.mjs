// bench/gateway: the gateway's overhead, side by side in one run on loopback.
//   direct  — the fleet agent (sim engine, zero latency) called directly;
//   proxy   — through a minimal Node reverse proxy (the floor for any Node router tier);
//   miss    — through the gateway, a non-cacheable request (routing, P2C, retries armed, metering);
//   miss-c  — through the gateway, a cacheable request never seen before (+ Cosmos lookup + store);
//   hit     — through the gateway, a repeated deterministic request (the cache-hit path).
// Targets: hit throughput ≥ 0.5 × proxy; miss median latency − direct median < 1 ms at moderate
// load (concurrency 4). Throughput is measured closed-loop at concurrency 32.
// Usage: node --import tsx bench/gateway.mjs [seconds-per-path=6]   (appends to bench/RESULTS.md)
import { spawn } from 'node:child_process';
import http from 'node:http';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 6);
const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
const INTERNAL = 'bench-internal-key-0123456789';
const BACKEND = 'bench-backend-secret';
const children = [];

function peer(...args) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'gateway-peers.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start: ${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${out}`)));
  });
}

const agentPool = new http.Agent({ keepAlive: true, maxSockets: Infinity });
function post(url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: agentPool, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let n = 0;
async function run(name, url, bodyOf, headers, concurrency, secs) {
  const lat = [];
  let errors = 0;
  const end = performance.now() + secs * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await post(url, bodyOf(n++), headers);
      if (res.statusCode !== 200) errors++;
      lat.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { name, concurrency, lat, errors, elapsed: (performance.now() - t0) / 1000 };
}

try {
  const caFile = join(dir, 'ca.pem');
  const cosmos = await peer('cosmos', caFile);
  const agent = await peer('agent', cosmos.endpoint, cosmos.key, caFile, INTERNAL);
  const proxy = await peer('proxy', agent.url);
  const cfgFile = join(dir, 'gateway.json');
  writeFileSync(cfgFile, JSON.stringify({
    listen: { host: '127.0.0.1', port: 0 },
    cosmos: { endpoint: cosmos.endpoint, key: cosmos.key, database: cosmos.database, caFile },
    secrets: { backend: { kind: 'static', current: BACKEND }, internalServiceKey: { kind: 'static', current: INTERNAL } },
    models: [{ name: 'phi3-mini', contextTokens: 4096, maxOutputTokens: 1024, cost: { inputPerMillion: 0.1, outputPerMillion: 0.2 } }],
    telemetry: { logLevel: 'error' },
  }));
  const gateway = await peer('gateway', cfgFile);
  // Wait (bounded) until the gateway sees the agent's registry entry.
  const until = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(gateway.url + '/health/ready').then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > until) throw new Error('gateway never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const apim = { 'x-gpuarb-backend-key': BACKEND, 'x-gpuarb-customer': 'bench' };
  const auth = { authorization: `Bearer ${INTERNAL}` };
  const msg = (content, extra) => JSON.stringify({ model: 'phi3-mini', messages: [{ role: 'user', content }], max_tokens: 8, ...extra });
  const hot = () => msg('What is the capital of France?', { temperature: 0.7 });
  const stamp = Date.now();
  const fresh = (i) => msg(`unique question ${stamp} ${i}`, { temperature: 0 });
  const same = () => msg('What is the capital of France?', { temperature: 0 });
  await post(gateway.url + '/v1/chat/completions', same(), apim); // fill the cache entry
  const scenarios = [
    ['direct', agent.url + '/v1/chat/completions', hot, auth],
    ['proxy', proxy.url + '/v1/chat/completions', hot, auth],
    ['gateway miss', gateway.url + '/v1/chat/completions', hot, apim],
    ['gateway miss-c', gateway.url + '/v1/chat/completions', fresh, apim],
    ['gateway hit', gateway.url + '/v1/chat/completions', same, apim],
  ];
  for (const s of scenarios) await run(s[0], s[1], s[2], s[3], 4, 1); // warm-up (JIT, pools)
  // Interleaved rounds: on a shared machine the load drifts, and each path should see the same drift.
  const rounds = 3;
  const parts = [];
  for (let r = 0; r < rounds; r++) for (const c of [4, 32]) for (const s of scenarios) parts.push(await run(s[0], s[1], s[2], s[3], c, seconds / rounds));
  const results = [];
  for (const c of [4, 32]) for (const s of scenarios) {
    const mine = parts.filter((p) => p.name === s[0] && p.concurrency === c);
    const lat = mine.flatMap((p) => p.lat).sort((a, b) => a - b);
    const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
    const time = mine.reduce((t, p) => t + p.elapsed, 0);
    results.push({ name: s[0], concurrency: c, rps: lat.length / time, p50: pct(50), p99: pct(99), errors: mine.reduce((e, p) => e + p.errors, 0) });
  }
  const get = (name, c) => results.find((r) => r.name === name && r.concurrency === c);
  const table = ['| path | conc. | req/s | p50 ms | p99 ms | errors |', '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${r.concurrency} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} |`)].join('\n');
  const hitRatio = get('gateway hit', 32).rps / get('proxy', 32).rps;
  const added = get('gateway miss', 4).p50 - get('direct', 4).p50;
  const addedC = get('gateway miss-c', 4).p50 - get('direct', 4).p50;
  const verdict = [
    `- hit throughput / minimal proxy (conc. 32): **${hitRatio.toFixed(2)}×** (target ≥ 0.5×) ${hitRatio >= 0.5 ? 'PASS' : 'FAIL'}`,
    `- added median latency, miss path (conc. 4): **${added.toFixed(2)} ms** (target < 1 ms) ${added < 1 ? 'PASS' : 'FAIL'}`,
    `- added median latency, cacheable miss incl. Cosmos lookup (conc. 4): ${addedC.toFixed(2)} ms`,
  ].join('\n');
  console.log(table + '\n' + verdict);
  const results_md = join(root, 'bench', 'RESULTS.md');
  const header = existsSync(results_md) && readFileSync(results_md, 'utf8').includes('## gateway') ? '' : '\n## gateway (bench/gateway.mjs)\n';
  appendFileSync(results_md, `${header}\n### ${new Date().toISOString()} — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${seconds}s per path in 3 interleaved rounds, loopback, shared machine\n\n${table}\n\n${verdict}\n`);
} finally {
  for (const c of children) c.kill('SIGKILL');
}
