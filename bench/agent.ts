// bench/agent: what the fleet agent adds on top of the engine it serves. Same simulator at zero
// latency behind each path, each server in its own process, measured side by side in interleaved
// rounds from one load generator with keep-alive connections:
//   engine        the sim as a vLLM-compatible server (`sim-vllm serve`): the engine called directly
//   agent         the agent with the sim engine in process: auth, validation, metrics, access log
//   agent→vllm    the agent with the vllm adapter proxying to a sim-vllm child (one more hop)
// Latency at concurrency 1 (median, p99); highest request rate at concurrency 16.
// Target: < 0.5 ms added at the median (agent vs engine).
// Usage: npx tsx bench/agent.ts [secondsPerRun=3] [rounds=3]  (appends to bench/RESULTS.md with --write)
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAgentBundle } from '../scripts/artifacts/agent-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.argv[2] ?? 3);
const rounds = Number(process.argv[3] ?? 3);
const write = process.argv.includes('--write');
const KEY = 'bench-internal-key-0123456789';
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const bundle = await buildAgentBundle(join(out, 'gpuarb-agent.mjs'));

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** Starts `node bundle …args` and resolves the URL from its first log line with one. */
function startProcess(args: string[], urlFrom: (line: Record<string, unknown>) => string | undefined): Promise<string> {
  const child = spawn(process.execPath, [bundle.path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const { stdout } = child;
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no URL from ${args.join(' ')}`)), 30_000);
    stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      // Keep reading (and discarding) stdout so the access log never blocks the process.
      for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const url = urlFrom(JSON.parse(line) as Record<string, unknown>);
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        } catch {
          /* not JSON */
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

function agentConfig(engine: object): string {
  const file = join(out, `agent-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      instanceName: 'bench-0',
      pool: 'bench',
      listen: { host: '127.0.0.1', port: 0 },
      engine,
      auth: { type: 'static', keys: [KEY] },
      scheduledEvents: { enabled: false },
    }),
  );
  return file;
}

const engineUrl = await startProcess(['sim-vllm', 'serve', 'phi3-mini', '--port', '0', '--sim-gpu', 'none'], (l) =>
  l.msg === 'sim-vllm listening' ? (l.url as string) : undefined,
);
const agentUrl = await startProcess(['--config', agentConfig({ type: 'sim', model: 'phi3-mini', gpu: 'none' })], (l) =>
  l.msg === 'listening' ? (l.url as string) : undefined,
);
const proxyUrl = await startProcess(
  [
    '--config',
    agentConfig({
      type: 'vllm',
      model: 'phi3-mini',
      source: 'phi3-mini',
      command: [process.execPath, bundle.path, 'sim-vllm', 'serve'],
      port: 0,
      extraArgs: ['--sim-gpu', 'none'],
    }),
  ],
  (l) => (l.msg === 'listening' ? (l.url as string) : undefined),
);

const body = JSON.stringify({
  model: 'phi3-mini',
  messages: [{ role: 'user', content: 'Benchmark prompt: what does the agent add?' }],
  max_tokens: 16,
});
const httpAgent = new Agent({ keepAlive: true, maxSockets: 64 });

function once(base: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const u = new URL(`${base}/v1/chat/completions`);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        agent: httpAgent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${KEY}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(base: string, concurrency: number, ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) latencies.push(await once(base));
    }),
  );
  return latencies;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const paths = { engine: engineUrl, agent: agentUrl, 'agent→vllm': proxyUrl } as const;
type PathName = keyof typeof paths;
const lat: Record<PathName, number[]> = { engine: [], agent: [], 'agent→vllm': [] };
const rate: Record<PathName, number[]> = { engine: [], agent: [], 'agent→vllm': [] };

// Ready before measuring: the agent→vllm path starts its vLLM stand-in after it listens.
for (const url of [agentUrl, proxyUrl]) {
  const deadline = Date.now() + 30_000;
  while (
    (await fetch(`${url}/health/ready`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() > deadline) throw new Error(`${url} not ready`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
for (const p of Object.keys(paths) as PathName[]) await run(paths[p], 4, 500); // warm-up (JIT, connections)
for (let r = 0; r < rounds; r++) {
  for (const p of Object.keys(paths) as PathName[]) {
    lat[p].push(...(await run(paths[p], 1, seconds * 1000)));
    const burst = await run(paths[p], 16, seconds * 1000);
    rate[p].push(burst.length / seconds);
  }
}

const rows = (Object.keys(paths) as PathName[]).map((p) => ({
  p,
  p50: pct(lat[p], 50),
  p99: pct(lat[p], 99),
  rps: Math.max(...rate[p]),
  n: lat[p].length,
}));
const [engine, agent, proxy] = rows;
const f = (x: number) => x.toFixed(3);
const table = [
  '| path | p50 ms (c=1) | p99 ms (c=1) | max req/s (c=16) | samples |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.p} | ${f(r.p50)} | ${f(r.p99)} | ${Math.round(r.rps)} | ${r.n} |`),
].join('\n');
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const agentAdded = agent.p50 - engine.p50;
const summary = [
  `- agent vs engine, added median: **${f(agentAdded)} ms** (×${ratio(agent.p50, engine.p50)}) — ` +
    `target < 0.5 ms ${agentAdded < 0.5 ? 'PASS' : 'FAIL'}`,
  `- agent vs engine, added p99: ${f(agent.p99 - engine.p99)} ms (×${ratio(agent.p99, engine.p99)}); ` +
    `highest rate ×${ratio(agent.rps, engine.rps)}`,
  `- agent→vllm (proxy hop) vs engine, added median: ${f(proxy.p50 - engine.p50)} ms (×${ratio(proxy.p50, engine.p50)}); ` +
    `highest rate ×${ratio(proxy.rps, engine.rps)}`,
].join('\n');
process.stdout.write(`${table}\n\n${summary}\n`);
if (write) {
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}`;
  const header =
    `\n## fleet agent (bench/agent.ts)\n\n### ${new Date().toISOString()} — ${machine}, ` +
    `${seconds}s × ${rounds} interleaved rounds per path, loopback, shared machine\n\n` +
    `Command: \`npx tsx bench/agent.ts ${seconds} ${rounds} --write\`. ` +
    'Non-streamed chat, max_tokens 16, sim at zero latency in every path.\n\n';
  appendFileSync(join(root, 'bench', 'RESULTS.md'), `${header + table}\n\n${summary}\n`);
}
for (const c of children) c.kill('SIGTERM');
process.exit(0);
