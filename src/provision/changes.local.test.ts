import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { converge, FAST_RETRY } from '../../testkit/converge.js';
import { buildDesiredGraph } from './desired/index.js';
import { defaultTestInput, testConfigInput } from '../../testkit/fixtures/stack-config.js';
import { computePlan } from './plan.js';
import { renderPlanText } from './render-plan.js';
import { destroyStack, listStackResources } from './down.js';
import { blobDeployer } from './artifacts.js';
import { localCloudTarget } from '../azure/target.js';

describe('plan, up and down on the local cloud', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud();
  });
  afterAll(async () => cloud?.stop());

  const graphFor = (overrides: Parameters<typeof defaultTestInput>[0]) =>
    buildDesiredGraph(defaultTestInput(overrides, cloud.emulator.subscriptionId));

  it('a config change gives a plan of exactly that change, then converges', async () => {
    const base = graphFor({ stack: 'chg' });
    expect((await converge(base, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    const pools = testConfigInput().pools.map((p) => (p.name === 'phi3' ? { ...p, capacity: { min: 1, max: 6 } } : p));
    const changed = graphFor({ stack: 'chg', pools });
    const plan = await computePlan(changed, cloud.arm);
    expect(plan.changes.map((c) => [c.action, c.label, c.fields?.map((f) => f.path)])).toEqual([
      ['update', 'autoscale/phi3', ['properties.profiles']],
    ]);
    expect(renderPlanText(plan)).toContain('~ update autoscale/phi3');
    expect((await converge(changed, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    expect((await computePlan(changed, cloud.arm)).changes).toEqual([]);
  });

  it('code is desired state: a new package is a deploy step, a new cloud-init a scale-set change', async () => {
    const input = {
      ...defaultTestInput(
        { stack: 'chg', pools: testConfigInput().pools.map((p) => (p.name === 'phi3' ? { ...p, capacity: { min: 1, max: 6 } } : p)) },
        cloud.emulator.subscriptionId,
      ),
    };
    const withCode = buildDesiredGraph({ ...input, artifacts: { functionPackageHash: 'abc123', agentBundleHash: 'def456' } });
    const plan = await computePlan(withCode, cloud.arm);
    expect(plan.changes.map((c) => `${c.action} ${c.label}`)).toEqual(['deploy deploy gateway']);
    expect(renderPlanText(plan)).toContain('» deploy');
    const newInit = buildDesiredGraph({ ...input, cloudInit: { ...input.cloudInit, phi3: '#cloud-config\n# agent v2 {{CLIENT_ID}}\n' } });
    const p2 = await computePlan(newInit, cloud.arm);
    expect(p2.changes.map((c) => [c.label, c.fields?.map((f) => f.path)])).toEqual([['vmss/phi3', ['tags.gpuarb-code']]]);
    // An API-only local cloud (no platform) has no local blob endpoint: the deploy fails with its
    // hint rather than send the local token to a *.blob.core.windows.net host, and stays pending.
    const target = localCloudTarget({
      subscriptionId: cloud.emulator.subscriptionId,
      armEndpoint: cloud.emulator.endpoint,
      credential: cloud.emulator.credential,
      caCertPem: cloud.emulator.caCertPem,
    });
    const { result } = await converge(withCode, cloud.arm, {
      retry: FAST_RETRY,
      deployer: blobDeployer(cloud.arm, target, { 'gateway-abc123.zip': '/nonexistent' }),
    });
    expect(result.steps[0]).toMatchObject({
      state: 'failed',
      error: { code: 'LocalBlobUnavailable', hint: expect.stringContaining('--skip-code') },
    });
    expect((await computePlan(withCode, cloud.arm)).changes.map((c) => c.action)).toEqual(['deploy']);
  });

  it('removing a pool deletes exactly its scale set and autoscale setting, narrows the CPU alert and tells the gateway', async () => {
    const pools = testConfigInput()
      .pools.filter((p) => p.name !== 'llama70b')
      .map((p) => (p.name === 'phi3' ? { ...p, capacity: { min: 1, max: 6 } } : p));
    const smaller = graphFor({ stack: 'chg', pools });
    const plan = await computePlan(smaller, cloud.arm);
    const summary = plan.changes.map((c) => `${c.action} ${c.label}`).sort();
    expect(summary).toEqual([
      'delete autoscaleSettings/autoscale-llama70b',
      'delete userAssignedIdentities/id-chg-agent-llama70b',
      'delete virtualMachineScaleSets/vmss-chg-llama70b',
      'update alert/vm-cpu',
      'update function app settings',
    ]);
    expect((await converge(smaller, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    expect((await computePlan(smaller, cloud.arm)).changes).toEqual([]);
  });

  it('a quota error fails only its branch and shows the hint', async () => {
    cloud.emulator.control.setQuota('eastus', 'lowPriorityCores', 0);
    try {
      const g = graphFor({ stack: 'quota' });
      const { result } = await converge(g, cloud.arm, { retry: FAST_RETRY });
      expect(result.ok).toBe(false);
      const failed = result.steps.filter((s) => s.state === 'failed');
      expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) {
        expect(f.label).toMatch(/^vmss\//);
        expect(f.error?.code).toBe('QuotaExceeded');
        expect(f.error?.hint).toMatch(/quota/i);
      }
      // Independent branches went on: API Management and the function app are there.
      expect(result.steps.find((s) => s.label === 'api management')?.state).toBe('done');
      expect(result.steps.find((s) => s.label === 'function app')?.state).toBe('done');
      expect(result.steps.filter((s) => s.state === 'skipped').every((s) => /autoscale|vm-cpu/.test(s.label))).toBe(true);
    } finally {
      cloud.emulator.control.setQuota('eastus', 'lowPriorityCores', 100_000);
    }
    const g = graphFor({ stack: 'quota' });
    expect((await converge(g, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
  });

  it('down leaves nothing tagged with the stack and removes the group', async () => {
    const g = graphFor({ stack: 'chg' });
    const target = { stack: 'chg', subscriptionId: cloud.emulator.subscriptionId, resourceGroupId: g.resourceGroupId, location: 'eastus' };
    const res = await destroyStack(cloud.arm, target);
    expect(res.failed).toEqual([]);
    expect(res.resourceGroupDeleted).toBe(true);
    expect(res.softDeleted).toHaveLength(2); // the vault and the API Management service
    expect(await listStackResources(cloud.arm, target)).toEqual([]);
    expect(await cloud.arm.listByTag(g.resourceGroupId, 'gpuarb-stack', 'chg')).toEqual([]);
    expect(await cloud.arm.get(g.resourceGroupId, '2025-04-01')).toBeUndefined();
  });
});
