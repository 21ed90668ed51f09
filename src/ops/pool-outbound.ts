// Why a pool's VMs cannot bootstrap: VMs of a Flexible scale set get no default outbound access
// (Microsoft's "Default outbound access in Azure"), so without a NAT gateway on the subnet or a
// public IP on the NIC the bootstrap's downloads time out and the agent never starts. Read from
// ARM (the scale set's NIC configuration and its subnets), so it says the same on Azure.
import type { VirtualMachineScaleSet } from '@azure/arm-compute';
import type { AzureTarget } from '../azure/target.js';
import { armClientOptions } from '../azure/target.js';

const SUBNET =
  /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)$/i;

/** A note when no NIC of the scale set has a way out; undefined when one has (or it is not Flexible). */
export async function outboundNote(target: AzureTarget, pool: string, vmss: VirtualMachineScaleSet): Promise<string | undefined> {
  if (vmss.orchestrationMode !== 'Flexible') return undefined;
  const { NetworkManagementClient } = await import('@azure/arm-network');
  const network = new NetworkManagementClient(target.credential, target.subscriptionId, armClientOptions(target));
  const closed: string[] = [];
  for (const nic of vmss.virtualMachineProfile?.networkProfile?.networkInterfaceConfigurations ?? []) {
    for (const ip of nic.ipConfigurations ?? []) {
      if (ip.publicIPAddressConfiguration) return undefined;
      const m = SUBNET.exec(ip.subnet?.id ?? '');
      if (!m) continue;
      // Through the VNet: its subnets list is where gpuarb (and most templates) declare them.
      const vnet = await network.virtualNetworks.get(m[1], m[2]);
      const subnet = vnet.subnets?.find((s) => s.name?.toLowerCase() === m[3].toLowerCase());
      if (subnet?.natGateway?.id) return undefined;
      closed.push(m[3]);
    }
  }
  if (!closed.length) return undefined;
  return (
    `pool ${pool}: no outbound internet: the subnet ${[...new Set(closed)].join(', ')} has no NAT gateway and no NIC has a public IP, ` +
    'so the VMs cannot download the agent, engine or model (Flexible scale set VMs get no default outbound access); ' +
    'run `gpuarb up` to add the NAT gateway'
  );
}
