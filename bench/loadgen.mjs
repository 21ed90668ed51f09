// bench/loadgen: can `gpuarb loadtest` sustain its target rate, or does the generator become the
// bottleneck? A minimal in-bench HTTP server answers a fixed chat completion instantly with
// `x-gpuarb-cache: hit` (the cache-hit path, the fastest thing a stack can do); the real CLI
// (bin/gpuarb.js, from dist/) loads it in a separate process, open loop, at each rate.
// A rate passes when the generator sent ≥ 98% of its schedule, stayed on schedule (send lag p99
// ≤ 50 ms) and nothing failed. Target: ≥ 2,000 req/s on this 2-core machine.
// Usage: node bench/loadgen.mjs [seconds=10] [rates=1000,2000,3000,4000]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 10);
const rates = (process.argv[3] ?? '1000,2000,3000,4000').split(',').map(Number);
const KEY = 'bench-key';

const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli) || !readFileSync(cli, 'utf8').includes('loadtest')) {
  const { build } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
  await build({ quiet: true });
}

const completion = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 0, model: 'phi3-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'cached answer' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
});
const models = JSON.stringify({ object: 'list', data: [{ id: 'phi3-mini', object: 'model' }] });
let served = 0;
const server = createServer((req, res) => {
  // Drain the body, then answer: the least work a server can do for a real request.
  req.resume();
  req.on('end', () => {
    if (req.url === '/v1/models') return res.writeHead(200, { 'content-type': 'application/json' }).end(models);
    served += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion), 'x-gpuarb-cache': 'hit' }).end(completion);
  });
});
server.keepAliveTimeout = 30_000;
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/v1`;

function runGenerator(rate) {
  const args = [join(root, 'bin', 'gpuarb.js'), 'loadtest', '--url', url, '--key', KEY, '--rate', String(rate), '--duration', `${seconds}s`, '--model', 'phi3-mini', '--json'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    // Bounded: the run plus generous start-up and drain time.
    const guard = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('close', (code) => {
      clearTimeout(guard);
      if (code !== 0) return reject(new Error(`gpuarb loadtest exited ${code}: ${err.slice(-500)}`));
      resolve(JSON.parse(out));
    });
  });
}

const results = [];
for (const rate of rates) {
  const before = served;
  const r = await runGenerator(rate);
  const o = r.overall;
  const achieved = o.requests / seconds;
  const pass = achieved >= rate * 0.98 && r.generator.sendLagP99Ms <= 50 && o.failed === 0;
  results.push({
    rate, achievedPerSec: +achieved.toFixed(1), served: served - before, failed: o.failed,
    p50Ms: +o.latencyMs.p50.toFixed(2), p99Ms: +o.latencyMs.p99.toFixed(2),
    sendLagP99Ms: +r.generator.sendLagP99Ms.toFixed(2), pass,
  });
  console.log(JSON.stringify(results.at(-1)));
}
server.close();
const best = Math.max(0, ...results.filter((x) => x.pass).map((x) => x.rate));
console.log(best >= 2000 ? `ok: sustained ${best} req/s (target ≥ 2,000)` : `MISSED: best sustained rate ${best} req/s (target ≥ 2,000)`);
