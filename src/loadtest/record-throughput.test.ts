// A load test's per-pool throughput record, against the local cloud's ARM (the pools' VMs as the
// compute SDK lists them), and `gpuarb cost` reading it back as measured throughput; a run on
// the sim engine recorded as simulated and never used. Hand-worked figures in the comments.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flexSpotScaleSet } from '../../testkit/fixtures/flex-spot-scale-set.js';
import { type OpsTestCloud, startOpsCloud } from '../../testkit/ops-cloud.js';
import { costCommand } from '../commands/cost.js';
import type { CostReport } from '../cost/collect.js';
import { recordsFile, shownPath } from '../cost/loadtest-records.js';
import { computeClient } from '../ops/azure-clients.js';
import { Recorder } from './recorder.js';
import { recordThroughput } from './record-throughput.js';
import type { Outcome } from './types.js';

const CONFIG = `
stack: rectput
location: eastus
cost: { utilisation: 0.5 }
pools:
  - name: llama
    model: llama3-70b
    engine: vllm
    hfModel: meta-llama/Meta-Llama-3-70B-Instruct
    tensorParallel: 4
    sku: Standard_NC96ads_A100_v4
    gpu: 4xA100-80GB
    capacity: { min: 1, max: 2, initial: 2 }
    spot: { regularBase: 1 }
  - name: mix
    model: mixtral-8x7b
    engine: vllm
    hfModel: mistralai/Mixtral-8x7B-Instruct-v0.1
    tensorParallel: 4
    sku: Standard_NC96ads_A100_v4
    capacity: { min: 1, max: 1 }
  - name: phi
    model: phi3-mini
    engine: vllm
    hfModel: microsoft/Phi-3-mini-4k-instruct
    sku: Standard_NC4as_T4_v3
  - name: phib
    model: phi3-mini
    engine: vllm
    hfModel: microsoft/Phi-3-mini-4k-instruct
    sku: Standard_NC4as_T4_v3
`;

let cloud: OpsTestCloud;
let fromMs = 0;
const DURATION_MS = 100_000;

beforeAll(async () => {
  cloud = await startOpsCloud(CONFIG);
  const compute = await computeClient(cloud.target);
  const scaleSets = { llama: 2, mix: 1 };
  for (const [pool, capacity] of Object.entries(scaleSets))
    await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(
      cloud.rgName,
      cloud.loaded.names.vmss[pool],
      flexSpotScaleSet(capacity, { zones: undefined, sku: { name: 'Standard_NC96ads_A100_v4', capacity, tier: 'Standard' } }),
      { updateIntervalInMs: 1 },
    );
  // The run starts after every VM exists, so each VM's hours in the run are the whole 100 s.
  let created = 0;
  for await (const vm of compute.virtualMachines.list(cloud.rgName)) created = Math.max(created, new Date(vm.timeCreated ?? 0).getTime());
  fromMs = created + 1;
});
afterAll(async () => cloud?.stop());

const answer = (model: string, o: Partial<Outcome> = {}): Outcome => ({
  model,
  scheduledAt: 0,
  sentAt: 0,
  latencyMs: 2000,
  ok: true,
  completionTokens: 1000,
  promptTokens: 200,
  cache: 'miss',
  ...o,
});

function run(events: { atSec: number; kind: 'evict'; ok: boolean; detail: string }[] = []) {
  const recorder = new Recorder();
  for (let i = 0; i < 3; i++) recorder.add(answer('llama3-70b'));
  recorder.add(answer('llama3-70b', { cache: 'hit', latencyMs: 5 })); // no GPU time: left out
  recorder.add(answer('llama3-70b', { ok: false, error: { class: 'http5xx', key: 'http_503', message: 'x' } }));
  for (let i = 0; i < 2; i++) recorder.add(answer('mixtral-8x7b', { completionTokens: 500, simulated: true }));
  recorder.add(answer('phi3-mini'));
  const { ctx } = cloud.context();
  return { ctx, p: recordThroughput(ctx, { local: true, baseUrl: 'https://x/v1', recorder, events, fromMs, toMs: fromMs + DURATION_MS }) };
}

describe('loadtest throughput records per pool', () => {
  it('records GPU tokens ÷ the pool’s replica-seconds, flags the sim engine, skips a model two pools serve', async () => {
    const { ctx, p } = run();
    const r = await p;
    expect(r.file).toBe(shownPath(ctx.cwd, recordsFile(cloud.target, ctx.cwd, cloud.rgName)));
    const llama = r.records.find((x) => x.pool === 'llama');
    // 2 VMs × 100 s = 200 replica-seconds; 3 GPU answers × 1000 = 3000 output tokens → 15 tok/s;
    // 3 × 200 = 600 prompt tokens → 3 tok/s; busy 3 × 2 s = 6 s → 0.03 in flight per replica.
    expect(llama).toMatchObject({ model: 'llama3-70b', sku: 'Standard_NC96ads_A100_v4', engine: 'vllm', simulated: false, gpuAnswers: 3 });
    expect(llama?.replicas).toBeCloseTo(2, 10);
    expect(llama?.durationSec).toBe(100);
    expect(llama?.outputTokensPerSecondPerReplica).toBeCloseTo(15, 10);
    expect(llama?.inputTokensPerSecondPerReplica).toBeCloseTo(3, 10);
    expect(llama?.concurrencyPerReplica).toBeCloseTo(0.03, 10);
    // 1 VM × 100 s; 2 × 500 = 1000 tokens → 10 tok/s (2 × 200 prompt → 4 tok/s), answered by the sim engine.
    const mix = r.records.find((x) => x.pool === 'mix');
    expect(mix).toMatchObject({ engine: 'sim', simulated: true });
    expect(mix?.outputTokensPerSecondPerReplica).toBeCloseTo(10, 10);
    expect(r.records.map((x) => x.pool).sort()).toEqual(['llama', 'mix']);
    expect(r.skipped).toContain('phi3-mini: served by phi, phib; recorded only for a model one pool serves');
    const stored = JSON.parse(readFileSync(recordsFile(cloud.target, ctx.cwd, cloud.rgName), 'utf8'));
    expect(Object.keys(stored.records).sort()).toEqual(['llama', 'mix']);
  });

  it('gpuarb cost uses the real record and shows the simulated one without using it', async () => {
    await run().p;
    const { ctx, stdout } = cloud.context();
    const r = (await costCommand.run(ctx, {})) as CostReport;
    costCommand.render?.(ctx, r);
    const llama = r.pools.find((x) => x.pool === 'llama');
    expect(llama?.inputs.throughput).toMatchObject({ source: 'measured', value: { outputTokensPerSecond: 15 } });
    // cost/h = 15.20 + 3.80 = 19.00 (sample); tokens/h = 15 × 2 × 3600 × 0.5 = 54,000; $/1M = 19 / 0.054 = 351.8519
    expect(llama?.figures.costPerMillionOutput).toBeCloseTo(351.8519, 4);
    const mix = r.pools.find((x) => x.pool === 'mix');
    // The simulated 10 tok/s is not used: the cited row for Mixtral on 4×A100 is, 191.01 tok/s.
    // cost/h = 3.80 (one spot VM); tokens/h = 191.01 × 1 × 3600 × 0.5 = 343,818; $/1M = 3.80 / 0.343818 = 11.0524
    expect(mix?.inputs.throughput).toMatchObject({ source: 'cited', value: { outputTokensPerSecond: 191.01 } });
    expect(mix?.figures.costPerMillionOutput).toBeCloseTo(11.0524, 4);
    expect(mix?.inputs.measuredThroughput[0]).toMatchObject({ kind: 'loadtest', simulated: true, outputTokensPerSecond: 10 });
    expect(stdout.text).toMatch(
      /measured \(loadtest\)\s+10 out, 4 in tok\/s SIMULATED, not used\s+simulated: sim on Standard_NC96ads_A100_v4/,
    );
    expect(stdout.text).toMatch(/throughput\/replica\s+15 out, 3 in tok\/s\s+measured: load test, vllm on Standard_NC96ads_A100_v4/);
  });

  it('records nothing when VMs were evicted during the run', async () => {
    const r = await run([{ atSec: 10, kind: 'evict', ok: true, detail: 'evicted one' }]).p;
    expect(r).toEqual({
      file: null,
      records: [],
      skipped: ['not recorded: VMs evicted during the run are gone from ARM, so the replica count would be too low'],
    });
  });
});
