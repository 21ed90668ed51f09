// Benchmark: `up` from nothing on the local cloud's realistic profile (scaled), against the
// critical path of the graph, and ARM request counts for up-from-nothing and a no-op up.
// Run: npx tsx bench/up.ts [--scale 0.05] [--parallel 8] [--no-append]
import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startEmulator } from '../emulator/index.js';
import { profileLatencyMs } from '../emulator/core/profiles.js';
import { createArmClient, RequestCounter } from '../src/azure/arm-client.js';
import { buildDesiredGraph } from '../src/provision/desired/index.js';
import { defaultTestInput } from '../testkit/fixtures/stack-config.js';
import { computePlan } from '../src/provision/plan.js';
import { applyPlan } from '../src/provision/apply.js';
import { criticalPathMs, idKey } from '../src/provision/graph.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const scale = Number(arg('scale', '0.05'));
const parallel = Number(arg('parallel', '8'));
const append = !process.argv.includes('--no-append');

const emu = await startEmulator({ port: 0, profile: 'realistic', latencyScale: scale, seed: 7 });
const counter = new RequestCounter();
const arm = await createArmClient(
  { subscriptionId: emu.subscriptionId, armEndpoint: emu.endpoint, credential: emu.credential, caCertPem: emu.caCertPem },
  { onRequest: counter.record, pollIntervalMs: 50 },
);
const graph = buildDesiredGraph(defaultTestInput({ stack: 'bench' }, emu.subscriptionId));

const t0 = performance.now();
const plan = await computePlan(graph, arm);
const result = await applyPlan(graph, plan, arm, { parallel });
const wallMs = performance.now() - t0;
if (!result.ok) throw new Error(`up failed: ${JSON.stringify(result.steps.filter((s) => s.state !== 'done'))}`);
const fresh = { reads: counter.reads, writes: counter.writes };

// Denominators: the longest dependency chain of (a) the measured step durations and (b) the
// profile's provisioning latencies (the emulator's model of Azure, without request overhead).
const stepMs = new Map(result.steps.map((s) => [idKey(s.id), s.elapsedMs]));
const measuredCp = criticalPathMs(graph.resources, (r) => stepMs.get(idKey(r.id)) ?? 0);
const profileCp = criticalPathMs(graph.resources, (r) => profileLatencyMs('realistic', scale, r.type, 'put'));

counter.reads = 0;
counter.writes = 0;
const t1 = performance.now();
const again = await computePlan(graph, arm);
await applyPlan(graph, again, arm, { parallel });
const noopMs = performance.now() - t1;
const noop = { reads: counter.reads, writes: counter.writes };
await emu.stop();

const out = {
  benchmark: 'up',
  scale,
  parallel,
  resources: graph.resources.length,
  wallMs: Math.round(wallMs),
  criticalPathMeasuredMs: measuredCp,
  criticalPathProfileMs: profileCp,
  ratioMeasured: +(wallMs / measuredCp).toFixed(3),
  ratioProfile: +(wallMs / profileCp).toFixed(3),
  upFromNothing: fresh,
  noopUp: { ...noop, wallMs: Math.round(noopMs), changes: again.changes.length },
};
console.log(JSON.stringify(out));
if (append) {
  const cpu = cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'cpu';
  appendFileSync(
    new URL('./RESULTS.md', import.meta.url),
    [
      '',
      `### up — ${new Date().toISOString()} — ${cpus().length} cores (${cpu}), Node ${process.version}, ` +
        `realistic profile ×${scale}, --parallel ${parallel}, shared machine`,
      '',
      '| measure | value |',
      '|---|---:|',
      `| resources in the default graph (3 pools) | ${out.resources} |`,
      `| up from nothing, wall | ${out.wallMs} ms |`,
      `| critical path, measured step durations | ${measuredCp} ms |`,
      `| critical path, profile latencies | ${profileCp} ms |`,
      `| **wall / critical path (measured)** | **${out.ratioMeasured}** (target ≤ 1.15) ${out.ratioMeasured <= 1.15 ? 'PASS' : 'FAIL'} |`,
      `| wall / critical path (profile) | ${out.ratioProfile} |`,
      `| ARM requests, up from nothing | ${fresh.reads} reads + ${fresh.writes} writes |`,
      `| ARM requests, no-op up | ${noop.reads} reads + ${noop.writes} writes |`,
      '',
      'Run: `npx tsx bench/up.ts --scale 0.05 --parallel 8`',
      '',
    ].join('\n'),
  );
}
