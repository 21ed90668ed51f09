// The stack gpuarb applies gives its GPU VMs outbound internet as the local cloud judges it (the
// same rule as Azure's: Flexible scale set VMs need a NAT gateway on the subnet or a public IP on
// the NIC), so the bootstrap can download; a NAT gateway that names a missing public IP, or a
// subnet that names a missing NAT gateway, is refused with Azure's InvalidResourceReference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestOf } from '../../emulator/runtime/guest.js';
import { required } from '../../lib/required.js';
import { buildDesiredGraph } from '../../src/provision/desired/index.js';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { converge, FAST_RETRY } from '../../testkit/converge.js';
import { defaultTestInput } from '../../testkit/fixtures/stack-config.js';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud();
});
afterAll(async () => cloud?.stop());

describe('outbound connectivity of the applied stack', () => {
  it('puts every pool VM behind the NAT gateway with a Standard static public IP', async () => {
    const { result } = await converge(buildDesiredGraph(defaultTestInput({ stack: 'egress' }, cloud.emulator.subscriptionId)), cloud.arm, {
      retry: FAST_RETRY,
    });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const vms = cloud.emulator.store.all().filter((r) => r.type === 'Microsoft.Compute/virtualMachines');
    expect(vms.length).toBeGreaterThan(0);
    for (const vm of vms) {
      const guest = guestOf(cloud.emulator.store, vm.doc);
      expect(guest.outbound).toEqual({ internet: true, via: 'NAT gateway ng-egress' });
    }
    const pip = required(
      cloud.emulator.store.all().find((r) => r.type === 'Microsoft.Network/publicIPAddresses'),
      'the public IP',
    ).doc;
    expect(pip).toMatchObject({ sku: { name: 'Standard' }, properties: { publicIPAllocationMethod: 'Static' } });
  });

  it('refuses references to a NAT gateway or public IP that does not exist, as Azure does', async () => {
    const rg = `/subscriptions/${cloud.emulator.subscriptionId}/resourceGroups/rg-egress/providers/Microsoft.Network`;
    const put = (id: string, body: unknown) => cloud.arm.put(id, '2025-05-01', body);
    const missingIp = await put(`${rg}/natGateways/ng-dangling`, {
      location: 'eastus',
      sku: { name: 'Standard' },
      properties: { publicIpAddresses: [{ id: `${rg}/publicIPAddresses/nope` }] },
    }).catch((e: Error) => e);
    expect(String(missingIp)).toMatch(/InvalidResourceReference|Resource .*publicIPAddresses\/nope referenced by resource/);
    const missingNat = await put(`${rg}/virtualNetworks/vnet-dangling`, {
      location: 'eastus',
      properties: {
        addressSpace: { addressPrefixes: ['10.9.0.0/16'] },
        subnets: [{ name: 's', properties: { addressPrefix: '10.9.0.0/24', natGateway: { id: `${rg}/natGateways/nope` } } }],
      },
    }).catch((e: Error) => e);
    expect(String(missingNat)).toMatch(/natGateways\/nope referenced by resource .*vnet-dangling\/subnets\/s was not found/);
    const basic = await put(`${rg}/publicIPAddresses/pip-basic`, {
      location: 'eastus',
      sku: { name: 'Basic' },
      properties: { publicIPAllocationMethod: 'Static' },
    }).catch((e: Error) => e);
    expect(String(basic)).toMatch(/Basic SKU public IP/);
  });
});
