// Which guests the local cloud runs and whether they can reach the internet: only gpuarb's
// cloud-init starts an agent; outbound needs a NAT gateway (with a public IP) on the subnet or a
// public IP on the NIC for Flexible scale sets, while other VMs keep default outbound access.
import { describe, expect, it } from 'vitest';
import { Store, type Json } from '../core/store.js';
import { isGpuarbCloudInit, outboundOf, simLoadOf } from './guest.js';

const RG = '/subscriptions/s/resourceGroups/rg/providers';
const subnet = (name: string, properties: Json = {}) => ({ name, properties: { addressPrefix: '10.0.0.0/24', ...properties } });
function storeWith(subnets: Json[]): Store {
  const store = new Store();
  store.put(
    { id: `${RG}/Microsoft.Network/publicIPAddresses/pip`, name: 'pip', properties: {} },
    'Microsoft.Network/publicIPAddresses',
    's',
    'rg',
  );
  store.put(
    {
      id: `${RG}/Microsoft.Network/natGateways/ng`,
      name: 'ng',
      properties: { publicIpAddresses: [{ id: `${RG}/Microsoft.Network/publicIPAddresses/pip` }] },
    },
    'Microsoft.Network/natGateways',
    's',
    'rg',
  );
  store.put(
    { id: `${RG}/Microsoft.Network/virtualNetworks/v`, name: 'v', properties: { subnets } },
    'Microsoft.Network/virtualNetworks',
    's',
    'rg',
  );
  return store;
}
const nics = (subnetName: string, ip: Json = {}) => [
  {
    name: 'nic',
    properties: {
      ipConfigurations: [
        { name: 'ip', properties: { subnet: { id: `${RG}/Microsoft.Network/virtualNetworks/v/subnets/${subnetName}` }, ...ip } },
      ],
    },
  },
];
const flexible = (n: Json[]) => ({
  properties: { orchestrationMode: 'Flexible', virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: n } } },
});

describe('guest outbound', () => {
  const store = storeWith([
    subnet('nat', { natGateway: { id: `${RG}/Microsoft.Network/natGateways/ng` } }),
    subnet('plain'),
    subnet('closed', { defaultOutboundAccess: false }),
  ]);

  it('Flexible scale set VMs go out only through a NAT gateway or a NIC public IP', () => {
    expect(outboundOf(store, {}, flexible(nics('nat')))).toEqual({ internet: true, via: 'NAT gateway ng' });
    expect(outboundOf(store, {}, flexible(nics('plain', { publicIPAddressConfiguration: { name: 'pub' } })))).toMatchObject({
      internet: true,
    });
    expect(outboundOf(store, {}, flexible(nics('plain')))).toEqual({
      internet: false,
      reason:
        'no outbound internet: the subnet plain has no NAT gateway and no NIC has a public IP (Flexible scale set VMs get no default outbound access)',
    });
  });

  it('other VMs keep default outbound access unless the subnet turns it off', () => {
    expect(outboundOf(store, { properties: { networkProfile: { networkInterfaceConfigurations: nics('plain') } } }, undefined)).toEqual({
      internet: true,
      via: 'default outbound access',
    });
    expect(
      outboundOf(store, { properties: { networkProfile: { networkInterfaceConfigurations: nics('closed') } } }, undefined),
    ).toMatchObject({
      internet: false,
    });
  });
});

describe('guest bootstrap', () => {
  it("recognises gpuarb's cloud-init and reads the sim engine's load settings from the agent config it writes", () => {
    const text = `#cloud-config\nwrite_files:\n  - path: /usr/local/bin/gpuarb-bootstrap.sh\n    content: "x"\n  - path: /etc/gpuarb/agent.json\n    content: '{"engine":{"type":"sim","loadMs":1500,"failLoad":true}}'\n`;
    expect(isGpuarbCloudInit(text)).toBe(true);
    expect(simLoadOf(text)).toEqual({ loadMs: 1500, failLoad: true });
    expect(isGpuarbCloudInit('#cloud-config\npackages: [nginx]\n')).toBe(false);
    expect(isGpuarbCloudInit('')).toBe(false);
  });
});
