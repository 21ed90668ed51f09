// The local autoscale engine on published metric values, against the real emulator through the
// compute and monitor SDKs: scale-out while the queue metric is high (one step per cooldown, up
// to the maximum), nothing without data, scale-in once every scale-in rule holds, never below
// the minimum. Time is a test clock: each evaluation is called at a chosen instant.
import { ComputeManagementClient } from '@azure/arm-compute';
import { MonitorClient } from '@azure/arm-monitor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { flexSpotScaleSet } from '../../testkit/fixtures/flex-spot-scale-set.js';
import { AutoscaleEngine } from './autoscale-engine.js';

const MINUTE = 60_000;
const RG = 'rg-autoscale';
let cloud: LocalCloud;
let compute: ComputeManagementClient;
let engine: AutoscaleEngine;
let vmssId: string;
let now = Date.parse('2026-12-01T10:00:00Z');

const trigger = (operator: string, threshold: number) => ({
  metricName: 'gpuarb.agent.queue',
  metricNamespace: 'gpuarb',
  metricResourceUri: vmssId,
  timeGrain: 'PT1M',
  statistic: 'Average' as const,
  timeWindow: 'PT5M',
  timeAggregation: 'Average' as const,
  operator: operator as 'GreaterThan',
  threshold,
});
/** The agents' queue depth for the five minutes before `at` (one point a minute, two agents). */
const publishQueue = (at: number, depth: number) => {
  for (let m = 5; m >= 1; m--)
    engine.metrics.publish({
      resourceId: vmssId,
      namespace: 'gpuarb',
      name: 'gpuarb.agent.queue',
      dimensions: {},
      time: at - m * MINUTE,
      min: depth,
      max: depth,
      sum: depth * 2,
      count: 2,
    });
};
const capacity = async () => (await compute.virtualMachineScaleSets.get(RG, 'vmss-as')).sku?.capacity;
const evaluateAt = async (at: number) => {
  now = at;
  await engine.evaluate();
  return capacity();
};

beforeAll(async () => {
  cloud = await startLocalCloud();
  const { emulator } = cloud;
  const opts = emulator.clientOptions();
  await cloud.arm.put(`/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}`, '2025-04-01', { location: 'eastus' });
  compute = new ComputeManagementClient(emulator.credential, emulator.subscriptionId, opts);
  const vmss = await compute.virtualMachineScaleSets.beginCreateOrUpdateAndWait(RG, 'vmss-as', flexSpotScaleSet(1), {
    updateIntervalInMs: 10,
  });
  vmssId = vmss.id ?? '';
  await new MonitorClient(emulator.credential, emulator.subscriptionId, opts).autoscaleSettings.createOrUpdate(RG, 'autoscale-as', {
    location: 'eastus',
    enabled: true,
    targetResourceUri: vmssId,
    profiles: [
      {
        name: 'queue-depth',
        capacity: { minimum: '1', maximum: '3', default: '1' },
        rules: [
          {
            metricTrigger: trigger('GreaterThan', 4),
            scaleAction: { direction: 'Increase', type: 'ChangeCount', value: '1', cooldown: 'PT5M' },
          },
          {
            metricTrigger: trigger('LessThan', 1),
            scaleAction: { direction: 'Decrease', type: 'ChangeCount', value: '1', cooldown: 'PT5M' },
          },
        ],
      },
    ],
  });
  engine = new AutoscaleEngine(
    emulator.store,
    { endpoint: () => emulator.endpoint, token: emulator.token, caCertPem: emulator.caCertPem },
    () => undefined,
    undefined,
    () => now,
  );
}, 60_000);

afterAll(async () => cloud?.stop());

describe('autoscale on published metric values', () => {
  it('does nothing while no value has been published in the window', async () => {
    expect(await evaluateAt(now)).toBe(1);
  });

  it('scales out under queue load, one step per cooldown, up to the maximum', async () => {
    const t0 = now + MINUTE;
    publishQueue(t0, 10);
    expect(await evaluateAt(t0)).toBe(2);
    // Still loaded a minute later: the 5-minute cooldown holds the next step back.
    publishQueue(t0 + MINUTE, 10);
    expect(await evaluateAt(t0 + MINUTE)).toBe(2);
    publishQueue(t0 + 6 * MINUTE, 10);
    expect(await evaluateAt(t0 + 6 * MINUTE)).toBe(3);
    publishQueue(t0 + 12 * MINUTE, 10);
    expect(await evaluateAt(t0 + 12 * MINUTE)).toBe(3); // the maximum
    now = t0 + 12 * MINUTE;
  });

  it('scales in once the queue stays empty for the window, never below the minimum', async () => {
    const t1 = now + 6 * MINUTE; // the loaded points have left the 5-minute window
    publishQueue(t1, 0);
    expect(await evaluateAt(t1)).toBe(2);
    publishQueue(t1 + 6 * MINUTE, 0);
    expect(await evaluateAt(t1 + 6 * MINUTE)).toBe(1);
    publishQueue(t1 + 12 * MINUTE, 0);
    expect(await evaluateAt(t1 + 12 * MINUTE)).toBe(1);
  });
});
