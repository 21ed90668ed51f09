// bench/gateway: the gateway's overhead, side by side in one run on loopback.
//   direct          the fleet agent (sim engine, zero latency) called directly;
//   relay           through a byte relay (no HTTP): the price of one more process on the path;
//   proxy           through a minimal Node reverse proxy (the floor for any Node router tier);
//   gateway miss    through the gateway as shipped (dist/, `gpuarb-gateway`), a request that is
//                   not cacheable (temperature 0.7, answered `x-gpuarb-cache: bypass`): trust,
//                   routing, P2C, retries armed, metering: what the gateway adds to forwarding;
//   gateway miss-c  a cacheable request never seen before (`x-gpuarb-cache: miss`): the above
//                   plus a Cosmos store after (and a point read before forwarding unless the
//                   presence filter knows the key is absent);
//   gateway hit     a repeated deterministic request (the cache-hit path).
//
// Three phases, each in interleaved rounds so that every path sees the same drift of a shared
// machine:
//   1. capacity: closed loop at concurrency 32 → req/s, and CPU time per request of each process
//      (from /proc: the robust figure on a noisy machine);
//   2. latency at moderate load: open loop, Poisson arrivals at a quarter of the minimal proxy's
//      phase-1 capacity, the same rate for every path → median and p99 (the cacheable miss, whose
//      capacity is lower, at a quarter of its own, with `direct` measured again beside it), and
//      CPU time per request again: at this load every request finds cold caches, so it costs
//      1.2–1.7× what it does at capacity, and that CPU time is most of the added latency;
//   3. closed loop at concurrency 4, for reference: on 2 cores shared by client, gateway, agent
//      and Cosmos this saturates the CPUs, so its latency is queueing behind CPU work (a cost
//      figure), not the latency a request sees at moderate load.
// Phase 2 also collects the gateway's Server-Timing header: its own time per request and its wait
// for the agent. The byte relay tells the cost of one more process on the path (wakeups, copies)
// from the cost of handling HTTP in it, which the minimal proxy pays as much as the gateway.
// Targets: hit req/s ≥ 0.5 × proxy req/s (phase 1); gateway miss median − direct median < 1 ms
// (phase 2).
// Usage: node --import tsx bench/gateway.mjs [seconds-per-path-per-phase=6] [--no-append]
import { spawn } from 'node:child_process';
import http from 'node:http';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 6);
const append = !process.argv.includes('--no-append');
const ROUNDS = 3;
const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
const INTERNAL = 'bench-internal-key-0123456789';
const BACKEND = 'bench-backend-secret';
const children = [];
const loadAtStart = loadavg()[0];

/** Starts a process that prints one JSON line once it listens; resolves with that line and its pid. */
function start(name, args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve({ ...JSON.parse(line), pid: child.pid });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}: ${out}`)));
  });
}
const peer = (role, ...args) => start(role, ['--import', 'tsx', join(root, 'bench', 'gateway-peers.ts'), role, ...args]);

/** CPU time (user + system) of a process so far, in ms; undefined where /proc is missing. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks at USER_HZ = 100
  } catch {
    return undefined;
  }
}

const agentPool = new http.Agent({ keepAlive: true, maxSockets: Infinity });
function post(url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: agentPool,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let n = 0;
/** Closed loop: `concurrency` clients, each sending its next request when the last answer ends. */
async function closedLoop(path, concurrency, secs) {
  const lat = [];
  let errors = 0;
  const end = performance.now() + secs * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await post(path.url, path.body(n++), path.headers);
      if (res.statusCode !== 200) errors++;
      lat.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { lat, errors, elapsed: (performance.now() - t0) / 1000 };
}

/**
 * Open loop: requests start on a Poisson schedule at `rate`/s whatever the answers do. Latency is
 * taken from the moment each request is sent, so the load generator's own timer jitter (the
 * same for every path) stays out of it.
 */
async function openLoop(path, rate, secs, seed) {
  const lat = [];
  const own = [];
  const agentWait = [];
  let errors = 0;
  let u = seed >>> 0 || 1;
  const uniform = () => {
    u = (Math.imul(u, 1664525) + 1013904223) >>> 0;
    return (u + 0.5) / 4294967296;
  };
  const t0 = performance.now();
  const end = t0 + secs * 1000;
  let next = t0;
  const inFlight = [];
  while (next < end) {
    const wait = next - performance.now();
    if (wait > 1) {
      await new Promise((r) => setTimeout(r, wait - 1));
      continue;
    }
    while (next <= performance.now() + 0.05 && next < end) {
      const t = performance.now();
      inFlight.push(
        post(path.url, path.body(n++), path.headers).then(
          (res) => {
            if (res.statusCode !== 200) errors++;
            lat.push(performance.now() - t);
            noteServerTiming(res, own, agentWait);
          },
          () => errors++,
        ),
      );
      next += (-Math.log(uniform()) * 1000) / rate;
    }
    if (next > performance.now()) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(inFlight);
  return { lat, own, agentWait, errors, elapsed: (performance.now() - t0) / 1000 };
}

/** The gateway's Server-Timing header: its own time and its wait for the agent, in ms. */
function noteServerTiming(res, own, agentWait) {
  const h = res.headers['server-timing'];
  if (!h) return;
  const g = /gateway;dur=([\d.]+)/.exec(h);
  const a = /agent;dur=([\d.]+)/.exec(h);
  if (g) own.push(Number(g[1]));
  if (a) agentWait.push(Number(a[1]));
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `measure` for every path in interleaved rounds and merges each path's samples. */
async function phase(paths, measure) {
  const merged = new Map(paths.map((p) => [p.name, { lat: [], own: [], agentWait: [], errors: 0, elapsed: 0, cpu: new Map() }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of paths) {
      const before = p.pids.map(cpuMs);
      const r = await measure(p, round);
      const after = p.pids.map(cpuMs);
      const m = merged.get(p.name);
      m.lat.push(...r.lat);
      m.own.push(...(r.own ?? []));
      m.agentWait.push(...(r.agentWait ?? []));
      m.errors += r.errors;
      m.elapsed += r.elapsed;
      p.pids.forEach((_pid, i) => {
        if (before[i] === undefined || after[i] === undefined) return;
        const c = m.cpu.get(p.roles[i]) ?? { ms: 0, requests: 0 };
        m.cpu.set(p.roles[i], { ms: c.ms + after[i] - before[i], requests: c.requests + r.lat.length });
      });
    }
  }
  return paths.map((p) => {
    const m = merged.get(p.name);
    const lat = m.lat.sort((a, b) => a - b);
    const cpu = Object.fromEntries([...m.cpu].map(([role, c]) => [role, (c.ms * 1000) / c.requests]));
    const median = (a) =>
      a.length
        ? pct(
            a.sort((x, y) => x - y),
            50,
          )
        : undefined;
    return {
      name: p.name,
      rps: lat.length / m.elapsed,
      p50: pct(lat, 50),
      p99: pct(lat, 99),
      errors: m.errors,
      samples: lat.length,
      cpu,
      own: median(m.own),
      agentWait: median(m.agentWait),
    };
  });
}

try {
  await build({ quiet: true }); // measure what ships: dist/, as `gpuarb-gateway` runs it
  const caFile = join(dir, 'ca.pem');
  const cosmos = await peer('cosmos', caFile);
  const agent = await peer('agent', cosmos.endpoint, cosmos.key, caFile, INTERNAL);
  const proxy = await peer('proxy', agent.url);
  const relay = await peer('relay', agent.url);
  const cfgFile = join(dir, 'gateway.json');
  writeFileSync(
    cfgFile,
    JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      cosmos: { endpoint: cosmos.endpoint, key: cosmos.key, database: cosmos.database, caFile },
      secrets: { backend: { kind: 'static', current: BACKEND }, internalServiceKey: { kind: 'static', current: INTERNAL } },
      models: [{ name: 'phi3-mini', contextTokens: 4096, maxOutputTokens: 1024, cost: { inputPerMillion: 0.1, outputPerMillion: 0.2 } }],
      telemetry: { logLevel: 'error' },
    }),
  );
  const gateway = await start('gateway', [join(root, 'bin', 'gpuarb-gateway.js'), '--config', cfgFile]);
  // Wait (bounded) until the gateway sees the agent's registry entry.
  const until = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${gateway.url}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
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
  await post(`${gateway.url}/v1/chat/completions`, same(), apim); // fill the cache entry
  const chat = (base) => `${base}/v1/chat/completions`;
  const viaGateway = { pids: [gateway.pid, agent.pid, cosmos.pid], roles: ['router', 'agent', 'cosmos'] };
  const paths = [
    { name: 'direct', url: chat(agent.url), body: hot, headers: auth, pids: [agent.pid], roles: ['agent'] },
    { name: 'relay', url: chat(relay.url), body: hot, headers: auth, pids: [relay.pid, agent.pid], roles: ['router', 'agent'] },
    { name: 'proxy', url: chat(proxy.url), body: hot, headers: auth, pids: [proxy.pid, agent.pid], roles: ['router', 'agent'] },
    { name: 'gateway miss', url: chat(gateway.url), body: hot, headers: apim, ...viaGateway },
    { name: 'gateway miss-c', url: chat(gateway.url), body: fresh, headers: apim, ...viaGateway },
    { name: 'gateway hit', url: chat(gateway.url), body: same, headers: apim, ...viaGateway },
  ];
  for (const p of paths) await closedLoop(p, 4, 1); // warm-up: JIT, connection pools
  const slice = seconds / ROUNDS;
  const capacity = await phase(paths, (p) => closedLoop(p, 32, slice));
  const proxyRps = capacity.find((r) => r.name === 'proxy').rps;
  const rate = Math.max(10, Math.round(proxyRps / 4));
  // The cacheable miss does a Cosmos write (and maybe a read) per request, so its capacity is far
  // lower: it gets its own moderate rate (¼ of its own capacity), with `direct` beside it.
  const cacheable = paths.filter((p) => p.name === 'gateway miss-c' || p.name === 'direct');
  const others = paths.filter((p) => p.name !== 'gateway miss-c');
  const rateC = Math.max(10, Math.round(capacity.find((r) => r.name === 'gateway miss-c').rps / 4));
  const moderate = await phase(others, (p, round) => openLoop(p, rate, slice, 1 + round));
  const moderateC = await phase(cacheable, (p, round) => openLoop(p, rateC, slice, 11 + round));
  const saturated = await phase(paths, (p) => closedLoop(p, 4, slice));

  const get = (rows, name) => rows.find((r) => r.name === name);
  const cpuCell = (r) =>
    ['router', 'agent', 'cosmos'].map((role) => (r.cpu[role] === undefined ? '–' : r.cpu[role].toFixed(0))).join(' · ');
  const fmt = (v) => (v === undefined ? '–' : v.toFixed(3));
  const atModerate = (name) => (name === 'gateway miss-c' ? get(moderateC, name) : get(moderate, name));
  const directRow = (d, r) =>
    `| direct (at ${r} req/s) | | | ${r} | ${d.p50.toFixed(2)} | ${d.p99.toFixed(2)} | ${cpuCell(d)} | | ${d.errors} |`;
  const table = [
    '| path | capacity req/s (c=32) | CPU µs/req: router · agent · cosmos | open loop req/s | p50 ms | p99 ms ' +
      '| CPU µs/req in the open loop: router · agent · cosmos | p50 ms (c=4) | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...capacity.map((c) => {
      const m = atModerate(c.name);
      const s = get(saturated, c.name);
      const openLoopRate = c.name === 'gateway miss-c' ? rateC : rate;
      return (
        `| ${c.name} | ${c.rps.toFixed(0)} | ${cpuCell(c)} | ${openLoopRate} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} ` +
        `| ${cpuCell(m)} | ${s.p50.toFixed(2)} | ${c.errors + m.errors + s.errors} |`
      );
    }),
    directRow(get(moderateC, 'direct'), rateC),
  ].join('\n');
  const hitRatio = get(capacity, 'gateway hit').rps / proxyRps;
  const added = get(moderate, 'gateway miss').p50 - get(moderate, 'direct').p50;
  const addedProxy = get(moderate, 'proxy').p50 - get(moderate, 'direct').p50;
  const addedRelay = get(moderate, 'relay').p50 - get(moderate, 'direct').p50;
  const addedC = get(moderateC, 'gateway miss-c').p50 - get(moderateC, 'direct').p50;
  const addedSat = get(saturated, 'gateway miss').p50 - get(saturated, 'direct').p50;
  const addedSatProxy = get(saturated, 'proxy').p50 - get(saturated, 'direct').p50;
  const verdict = [
    `- cache-hit throughput / minimal proxy (c=32): **${hitRatio.toFixed(2)}×** (target ≥ 0.5×) ${hitRatio >= 0.5 ? 'PASS' : 'FAIL'}`,
    `- added median latency on the miss path at moderate load (${rate} req/s open loop = ¼ of the proxy's capacity): ` +
      `**${added.toFixed(2)} ms** (target < 1 ms) ${added < 1 ? 'PASS' : 'FAIL'}; ` +
      `the minimal proxy adds ${addedProxy.toFixed(2)} ms, a byte relay (one more process, no HTTP) ${addedRelay.toFixed(2)} ms`,
    '- a cacheable miss (a Cosmos store after; a point read first unless the presence filter rules it out) ' +
      `at ${rateC} req/s (¼ of its capacity) adds ${addedC.toFixed(2)} ms`,
    `- at c=4 closed loop (CPUs saturated, for reference): gateway miss adds ${addedSat.toFixed(2)} ms, ` +
      `the minimal proxy ${addedSatProxy.toFixed(2)} ms`,
    "- the gateway's own time per request at moderate load (its Server-Timing, median): " +
      `miss ${fmt(atModerate('gateway miss').own)} ms, cacheable miss ${fmt(atModerate('gateway miss-c').own)} ms, ` +
      `hit ${fmt(atModerate('gateway hit').own)} ms; ` +
      `its wait for the agent on the miss path ${fmt(atModerate('gateway miss').agentWait)} ms, ` +
      `against ${get(moderate, 'direct').p50.toFixed(2)} ms for a client calling the agent directly`,
  ].join('\n');
  console.log(`${table}\n\n${verdict}`);
  if (append) {
    const resultsMd = join(root, 'bench', 'RESULTS.md');
    const header =
      existsSync(resultsMd) && readFileSync(resultsMd, 'utf8').includes('## gateway') ? '' : '\n## gateway (bench/gateway.mjs)\n';
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${loadAtStart.toFixed(2)} at start`;
    appendFileSync(
      resultsMd,
      `${header}\n### ${new Date().toISOString()} — ${machine}; ${seconds} s per path per phase in ${ROUNDS} interleaved rounds; ` +
        `\`node --import tsx bench/gateway.mjs ${seconds}\`\n\n${table}\n\n${verdict}\n`,
    );
  }
} finally {
  for (const c of children) c.kill('SIGKILL');
}
