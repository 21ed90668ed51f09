import { describe, expect, it } from 'vitest';
import { buildDesiredGraph } from './index.js';
import { defaultTestInput } from '../../../testkit/fixtures/stack-config.js';
import { idKey } from '../graph.js';
import { TAG_MANAGED_BY, TAG_STACK } from '../types.js';
import { required } from '../../../lib/required.js';

/** The fields of a spot scale set body this test checks. */
interface SpotScaleSetProperties {
  orchestrationMode: string;
  singlePlacementGroup: boolean;
  priorityMixPolicy?: unknown;
  automaticRepairsPolicy: { gracePeriod: string };
  virtualMachineProfile: {
    priority: string;
    evictionPolicy: string;
    billingProfile: { maxPrice: number };
    networkProfile: { networkApiVersion?: string };
    extensionProfile: {
      extensions: { properties: { type: string; typeHandlerVersion: string; settings: { numberOfProbes: number; gracePeriod: number } } }[];
    };
  };
}

describe('desired graph', () => {
  const graph = buildDesiredGraph(defaultTestInput());

  it('matches the reviewed snapshot (any body change shows here)', async () => {
    await expect(`${JSON.stringify(graph, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/default-graph.json');
  });

  it('is in dependency order with every dependency present', () => {
    const seen = new Set<string>();
    for (const r of graph.resources) {
      for (const d of r.dependsOn) expect(seen.has(idKey(d)), `${r.id} before ${d}`).toBe(true);
      seen.add(idKey(r.id));
    }
  });

  it('tags every tracked resource with managed-by and the stack', () => {
    const tracked = graph.resources.filter((r) => 'location' in r.body);
    expect(tracked.length).toBeGreaterThan(15);
    for (const r of tracked) {
      const tags = r.body.tags as Record<string, string>;
      expect(tags[TAG_MANAGED_BY], r.id).toBe('gpuarb');
      expect(tags[TAG_STACK], r.id).toBe('demo');
      expect(tags['cost-center'], r.id).toBe('ml-platform');
    }
  });

  it('never holds a secret value', () => {
    const secrets = graph.resources.filter((r) => r.secret);
    expect(secrets.map((s) => s.id.split('/').pop()).sort()).toEqual([
      'inference-api-key',
      'internal-service-key',
      'registry-key-llama70b',
      'registry-key-mixtral',
      'registry-key-phi3',
      'vmss-ssh-private-key',
    ]);
    for (const s of secrets) expect((s.body.properties as Record<string, unknown>).value).toBeUndefined();
  });

  it('builds spot scale sets the way Azure requires', () => {
    const vmss = graph.resources.filter((r) => r.type === 'Microsoft.Compute/virtualMachineScaleSets');
    expect(vmss).toHaveLength(3);
    for (const r of vmss) {
      const p = r.body.properties as SpotScaleSetProperties;
      expect(p.orchestrationMode).toBe('Flexible');
      expect(p.singlePlacementGroup).toBe(false);
      expect(p.virtualMachineProfile.priority).toBe('Spot');
      expect(p.virtualMachineProfile.evictionPolicy).toBe('Delete');
      expect(p.virtualMachineProfile.billingProfile.maxPrice).toBe(-1);
      expect(p.virtualMachineProfile.networkProfile.networkApiVersion).toBeTruthy();
      expect(p.priorityMixPolicy).toBeDefined();
      const grace = required(/PT(\d+)M/.exec(p.automaticRepairsPolicy.gracePeriod), 'a grace period in minutes');
      expect(Number(grace[1])).toBeGreaterThanOrEqual(10);
      expect(Number(grace[1])).toBeLessThanOrEqual(90);
      const health = p.virtualMachineProfile.extensionProfile.extensions[0].properties;
      expect(health.type).toBe('ApplicationHealthLinux');
      expect(health.typeHandlerVersion).toBe('2.0'); // rich states: Initializing while loading
      expect(health.settings.numberOfProbes).toBeGreaterThan(1);
      // Initializing lasts the extension's grace period: it covers the repair grace, at most 14400 s.
      expect(health.settings.gracePeriod).toBeGreaterThanOrEqual(Number(grace[1]) * 60);
      expect(health.settings.gracePeriod).toBeLessThanOrEqual(14_400);
    }
  });

  it('gives the GPU subnet explicit outbound: a NAT gateway with a Standard static public IP', () => {
    const byType = (t: string) => graph.resources.filter((r) => r.type === t);
    const vnet = required(byType('Microsoft.Network/virtualNetworks')[0], 'the VNet').body as {
      properties: { subnets: { name: string; properties: { natGateway?: { id: string } } }[] };
    };
    const subnet = required(
      vnet.properties.subnets.find((s) => s.name === 'snet-vmss'),
      'the GPU subnet',
    );
    const nat = required(byType('Microsoft.Network/natGateways')[0], 'the NAT gateway');
    expect(subnet.properties.natGateway?.id).toBe(nat.id);
    const pip = required(byType('Microsoft.Network/publicIPAddresses')[0], 'the public IP');
    expect(nat.body).toMatchObject({ sku: { name: 'Standard' }, properties: { publicIpAddresses: [{ id: pip.id }] } });
    expect(pip.body).toMatchObject({ sku: { name: 'Standard' }, properties: { publicIPAllocationMethod: 'Static' } });
  });

  it('has five alerts and role-assignment names that are stable GUIDs', () => {
    const alerts = graph.resources.filter((r) => /metricAlerts|scheduledQueryRules/.test(r.type));
    expect(alerts).toHaveLength(5);
    const again = buildDesiredGraph(defaultTestInput());
    const ra = (g: typeof graph) => g.resources.filter((r) => r.type.endsWith('roleAssignments')).map((r) => r.id);
    expect(ra(again)).toEqual(ra(graph));
    for (const id of ra(graph))
      expect(id.split('/').pop()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
