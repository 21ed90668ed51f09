// `gpuarb status` says why a pool cannot bootstrap when its subnet has no way out, and says
// nothing once the subnet has a NAT gateway: read from ARM through the real SDKs, on the local cloud.
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../../lib/required.js';
import { flexSpotScaleSet } from '../../testkit/fixtures/flex-spot-scale-set.js';
import { startOpsCloud, type OpsTestCloud } from '../../testkit/ops-cloud.js';
import { collectStatus } from './status-collect.js';
import { buildStatus } from './status-model.js';

let cloud: OpsTestCloud;
let network: NetworkManagementClient;
const poll = { updateIntervalInMs: 10 };
const NOTE = /^pool phi: no outbound internet: the subnet snet-vmss has no NAT gateway and no NIC has a public IP/;

beforeAll(async () => {
  cloud = await startOpsCloud();
  const opts = cloud.emu.clientOptions();
  network = new NetworkManagementClient(cloud.emu.credential, cloud.emu.subscriptionId, opts);
  const vnet = await network.virtualNetworks.beginCreateOrUpdateAndWait(
    cloud.rgName,
    'vnet-opstest',
    {
      location: 'eastus',
      addressSpace: { addressPrefixes: ['10.40.0.0/16'] },
      subnets: [{ name: 'snet-vmss', addressPrefix: '10.40.0.0/24' }],
    },
    poll,
  );
  const raw = flexSpotScaleSet(1, { zones: ['1'] });
  await new ComputeManagementClient(
    cloud.emu.credential,
    cloud.emu.subscriptionId,
    opts,
  ).virtualMachineScaleSets.beginCreateOrUpdateAndWait(
    cloud.rgName,
    cloud.loaded.names.vmss.phi,
    {
      ...raw,
      virtualMachineProfile: {
        ...raw.virtualMachineProfile,
        networkProfile: {
          networkApiVersion: '2022-11-01',
          networkInterfaceConfigurations: [
            { name: 'nic', primary: true, ipConfigurations: [{ name: 'ip', subnet: { id: `${vnet.id}/subnets/snet-vmss` } }] },
          ],
        },
      },
    },
    poll,
  );
});
afterAll(async () => cloud?.stop());

describe('status and outbound connectivity', () => {
  it('notes a pool whose subnet has no NAT gateway, and stops once it has one', async () => {
    const before = buildStatus(await collectStatus(cloud.context().ctx));
    expect(
      before.notes.filter((n) => NOTE.test(n)),
      before.notes.join('\n'),
    ).toHaveLength(1);

    const pip = await network.publicIPAddresses.beginCreateOrUpdateAndWait(
      cloud.rgName,
      'pip-nat',
      { location: 'eastus', sku: { name: 'Standard' }, publicIPAllocationMethod: 'Static' },
      poll,
    );
    const nat = await network.natGateways.beginCreateOrUpdateAndWait(
      cloud.rgName,
      'ng-opstest',
      { location: 'eastus', sku: { name: 'Standard' }, publicIpAddresses: [{ id: required(pip.id, 'the public IP id') }] },
      poll,
    );
    await network.virtualNetworks.beginCreateOrUpdateAndWait(
      cloud.rgName,
      'vnet-opstest',
      {
        location: 'eastus',
        addressSpace: { addressPrefixes: ['10.40.0.0/16'] },
        subnets: [{ name: 'snet-vmss', addressPrefix: '10.40.0.0/24', natGateway: { id: nat.id } }],
      },
      poll,
    );
    const after = buildStatus(await collectStatus(cloud.context().ctx));
    expect(after.notes.filter((n) => NOTE.test(n))).toEqual([]);
    expect(after.notes.filter((n) => /outbound/.test(n))).toEqual([]);
  });
});
