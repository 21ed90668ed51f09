// bench/loadgen: can `gpuarb loadtest` sustain its target rate, or does the generator become the
// bottleneck? bench/loadgen-server.mjs (a child process: its own core) answers a fixed chat
// completion instantly with `x-gpuarb-cache: hit` — the cache-hit path, the fastest a stack has.
// The real CLI (dist/cli.js, `runCli`, exactly what bin/gpuarb.js runs) loads it in this process,
// open loop, at each rate (after one discarded warm-up run), so the generator's own CPU time per
// request is measured too.
// A rate passes when the generator sent ≥ 98% of its schedule, stayed on schedule (send lag p99
// ≤ 50 ms) and nothing failed. Target: ≥ 2,000 req/s on this 2-core machine.
// Usage: node bench/loadgen.mjs [seconds=10] [rates=1000,2000,3000,4000]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 10);
const rates = (process.argv[3] ?? '1000,2000,3000,4000').split(',').map(Number);

const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli) || !readFileSync(cli, 'utf8').includes('loadtest')) {
  const { build } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
  await build({ quiet: true });
}
const { runCli } = await import(pathToFileURL(cli).href);

const server = spawn(process.execPath, [join(root, 'bench', 'loadgen-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  const guard = setTimeout(() => reject(new Error('bench server did not start within 10 s')), 10_000);
  server.stdout.once('data', (c) => {
    clearTimeout(guard);
    resolve(Number(String(c).trim()));
  });
});
const url = `http://127.0.0.1:${port}/v1`;

async function runGenerator(rate) {
  let out = '';
  const sink = (isTTY, onText) => ({
    isTTY,
    columns: 100,
    write: (c) => {
      onText(String(c));
      return true;
    },
  });
  const args = ['loadtest', '--url', url, '--rate', String(rate), '--duration', `${seconds}s`, '--model', 'phi3-mini', '--json'];
  const cpu0 = process.cpuUsage();
  const code = await runCli(args, {
    stdout: sink(false, (t) => (out += t)),
    stderr: sink(false, () => undefined),
    stdin: process.stdin,
    env: { ...process.env, CI: '1', GPUARB_API_KEY: 'bench-key' },
    cwd: root,
    signal: new AbortController().signal,
  });
  const cpu = process.cpuUsage(cpu0);
  if (code !== 0) throw new Error(`gpuarb loadtest exited ${code}`);
  return { report: JSON.parse(out), cpuMs: (cpu.user + cpu.system) / 1000 };
}

// Warm-up, discarded: both processes' JITs and the generator's code paths, as any long run has.
await runGenerator(Math.min(...rates));

const results = [];
for (const rate of rates) {
  const { report: r, cpuMs } = await runGenerator(rate);
  const o = r.overall;
  const achieved = o.requests / seconds;
  const pass = achieved >= rate * 0.98 && r.generator.sendLagP99Ms <= 50 && o.failed === 0;
  results.push({
    rate,
    achievedPerSec: +achieved.toFixed(1),
    failed: o.failed,
    p50Ms: +o.latencyMs.p50.toFixed(2),
    p99Ms: +o.latencyMs.p99.toFixed(2),
    sendLagP99Ms: +r.generator.sendLagP99Ms.toFixed(2),
    // The generator's CPU per request: 1e6 / this is its ceiling on one free core.
    cpuUsPerRequest: +((cpuMs * 1000) / o.requests).toFixed(1),
    loadavg1m: +loadavg()[0].toFixed(1),
    pass,
  });
  console.log(JSON.stringify(results.at(-1)));
}
server.kill();
const best = Math.max(0, ...results.filter((x) => x.pass).map((x) => x.rate));
const cpu = Math.min(...results.map((x) => x.cpuUsPerRequest));
console.log(`generator CPU: ${cpu} µs/request → ceiling ≈ ${Math.round(1e6 / cpu)} req/s on one free core`);
console.log(best >= 2000 ? `ok: sustained ${best} req/s (target ≥ 2,000)` : `MISSED: best sustained rate ${best} req/s (target ≥ 2,000)`);
process.exit(0);
