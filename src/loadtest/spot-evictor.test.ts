// Evictions against the local cloud (the emulator's real ARM surface, through the real
// @azure/arm-compute client), and chaos events recorded during a load run with their effect.
import { performance } from 'node:perf_hooks';
import { ComputeManagementClient } from '@azure/arm-compute';
import { ResourceManagementClient } from '@azure/arm-resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { builtinWorkload } from './builtin-workload.js';
import { startChaos } from './chaos.js';
import { createSender } from './http-client.js';
import { Recorder } from './recorder.js';
import { buildReport } from './report.js';
import { createRng } from './rng.js';
import { startLoad } from './runner.js';
import { spotEvictorFor } from './spot-evictor.js';
import { startOpenAiPeer } from '../../testkit/openai-peer.js';
import type { ChaosEvent } from './types.js';
import { required } from '../../lib/required.js';
import { flexSpotScaleSet } from '../../testkit/fixtures/flex-spot-scale-set.js';

let emu: Emulator;
let compute: ComputeManagementClient;
const RG = 'rg-ltstack';

beforeAll(async () => {
  emu = await startEmulator({ scheduledEvents: { publish: () => undefined } });
  compute = new ComputeManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  const rm = new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
  await rm.resourceGroups.createOrUpdate(RG, { location: 'eastus' });
  await compute.virtualMachineScaleSets.createOrUpdate(
    RG,
    'vmss-ltstack-phi3',
    // One on-demand floor VM (the fixture's priority mix): it must never be picked.
    flexSpotScaleSet(6, { zones: undefined, tags: { 'managed-by': 'gpuarb', 'gpuarb-stack': 'ltstack' } }),
    { updateIntervalInMs: 1 },
  );
});
afterAll(async () => emu?.stop());

const spotNames = async () => {
  const names: string[] = [];
  for await (const vm of compute.virtualMachines.list(RG))
    if (vm.priority === 'Spot') names.push(required(vm.name, 'the name of a listed VM'));
  return names;
};

describe('spot evictions through simulateEviction', () => {
  it('evicts a random Spot VM of the stack, never the on-demand floor', async () => {
    const before = await spotNames();
    expect(before).toHaveLength(5);
    const evictor = await spotEvictorFor({ compute, resourceGroup: RG, stack: 'ltstack', rng: createRng(5) });
    const name = await evictor.evictOne();
    expect(before).toContain(name);
  });

  it('refuses a resource group without Spot VMs before any load', async () => {
    const rm = new ResourceManagementClient(emu.credential, emu.subscriptionId, emu.clientOptions());
    await rm.resourceGroups.createOrUpdate('rg-empty', { location: 'eastus' });
    await expect(spotEvictorFor({ compute, resourceGroup: 'rg-empty', stack: 'empty', rng: createRng(1) })).rejects.toThrow(
      /rg-empty has no running Spot VM/,
    );
  });

  it('records evictions during a load run with the errors and latency around them', async () => {
    const peer = await startOpenAiPeer({ key: 'k', latencyMs: 2 });
    try {
      const t0 = performance.now();
      const now = () => performance.now() - t0;
      const sender = createSender({ baseUrl: peer.baseUrl, key: 'k' }, { timeoutMs: 5000, maxSockets: 32, now });
      const recorder = new Recorder();
      const events: ChaosEvent[] = [];
      const evictor = await spotEvictorFor({ compute, resourceGroup: RG, stack: 'ltstack', rng: createRng(2) });
      const arrival = { kind: 'open', rate: 30 } as const;
      const load = startLoad({
        arrival,
        durationMs: 2500,
        workload: builtinWorkload({ mix: [['phi3-mini', 1]], repeatShare: 0.5, seed: 1, stream: false }),
        sender,
        recorder,
        rng: createRng(1),
        now,
        signal: new AbortController().signal,
      });
      const chaos = startChaos({ plan: { evictEverySec: 1 }, durationMs: 2500, now, evictor, onEvent: (e) => events.push(e) });
      await load.done;
      await chaos.stop();
      sender.close();
      const r = buildReport({
        target: peer.baseUrl,
        arrival,
        durationSec: 2.5,
        workload: 'test',
        stream: false,
        seed: 1,
        recorder,
        events,
        objectives: null,
      });
      expect(r.events.map((e) => [e.kind, e.ok, Math.floor(e.atSec)])).toEqual([
        ['evict', true, 1],
        ['evict', true, 2],
      ]);
      expect(r.events[0].detail).toMatch(/^evicted /);
      expect(r.events[0].before.requests + r.events[0].after.requests).toBeGreaterThan(0);
      expect(r.overall.failed).toBe(0);
    } finally {
      await peer.close();
    }
  });
});
