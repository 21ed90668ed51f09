// What runs inside a local VM, read from ARM as Azure would boot it. Azure does not care what a
// VM runs: the local cloud runs a fleet agent only for a VM whose customData is gpuarb's
// cloud-init (the one bootstrap it knows how to play), and nothing for any other VM, which is
// then just a VM (it provisions, runs and has an instance view). The bootstrap downloads Node,
// packages, the agent bundle and the model from outside the VNet, so it runs only when the VM
// has explicit outbound connectivity: VMs of a Flexible scale set get no default outbound access
// (Microsoft's "Default outbound access in Azure"; docs/emulator.md ### 1.).
import { parse } from 'yaml';
import type { Json, Store } from '../core/store.js';

/** The first download of gpuarb's bootstrap (src/templates/cloud-init-bootstrap.ts). */
export const BOOTSTRAP_FIRST_DOWNLOAD = 'https://deb.nodesource.com/setup_20.x';

/** The JSON log line of a bootstrap that cannot get out: curl's report of a connect that times out. */
export function bootstrapFailureLine(reason: string): string {
  const host = new URL(BOOTSTRAP_FIRST_DOWNLOAD).host;
  return JSON.stringify({
    level: 'error',
    msg: `gpuarb-bootstrap: curl: (28) Failed to connect to ${host} port 443: Connection timed out (${reason})`,
  });
}

export interface Guest {
  /** The scale set the VM belongs to, if any. */
  vmss: Json | undefined;
  /** customData is gpuarb's cloud-init: the local cloud runs the fleet agent for it. */
  gpuarbBootstrap: boolean;
  /** The sim engine's load behaviour from the agent config the cloud-init writes, if any. */
  simLoad: { loadMs?: number; failLoad?: boolean };
  outbound: Outbound;
}

export type Outbound = { internet: true; via: string } | { internet: false; reason: string };

function decodeCustomData(data: unknown): string {
  if (typeof data !== 'string' || !data) return '';
  try {
    return Buffer.from(data, 'base64').toString('utf8');
  } catch {
    return '';
  }
}

/** gpuarb's cloud-init (src/templates/cloud-init.ts, or the placeholder provisioning renders without a built agent). */
export function isGpuarbCloudInit(text: string): boolean {
  return text.startsWith('#cloud-config') && /gpuarb-bootstrap\.sh|^# gpuarb pool /m.test(text);
}

/** loadMs/failLoad of a sim engine in the /etc/gpuarb/agent.json the cloud-init writes. */
export function simLoadOf(cloudInit: string): { loadMs?: number; failLoad?: boolean } {
  try {
    const doc = parse(cloudInit) as { write_files?: { path?: string; content?: string }[] } | null;
    const file = doc?.write_files?.find((f) => f.path === '/etc/gpuarb/agent.json');
    const engine = file?.content ? (JSON.parse(file.content) as { engine?: Json }).engine : undefined;
    if (engine?.type !== 'sim') return {};
    return {
      ...(Number.isInteger(engine.loadMs) ? { loadMs: engine.loadMs } : {}),
      ...(typeof engine.failLoad === 'boolean' ? { failLoad: engine.failLoad } : {}),
    };
  } catch {
    return {};
  }
}

const lower = (s: unknown) => String(s ?? '').toLowerCase();

function findSubnet(store: Store, subnetId: string): Json | undefined {
  const direct = store.get(subnetId)?.doc;
  if (direct) return direct;
  const i = lower(subnetId).lastIndexOf('/subnets/');
  if (i < 0) return undefined;
  const vnet = store.get(subnetId.slice(0, i))?.doc;
  const name = lower(subnetId.slice(i + '/subnets/'.length));
  return (vnet?.properties?.subnets ?? []).find((s: Json) => lower(s.name) === name);
}

/**
 * Explicit outbound for a VM's NICs, the ways Microsoft lists: a NAT gateway on the subnet, or a
 * public IP on the NIC. (Load balancer outbound rules are not modelled: the local cloud has no
 * load balancers.) A VM outside a Flexible scale set keeps default outbound access unless its
 * subnet turns it off (`defaultOutboundAccess: false`).
 */
export function outboundOf(store: Store, vm: Json, vmss: Json | undefined): Outbound {
  const flexible = vmss?.properties?.orchestrationMode === 'Flexible';
  const nics: Json[] = flexible
    ? (vmss?.properties?.virtualMachineProfile?.networkProfile?.networkInterfaceConfigurations ?? [])
    : (vm.properties?.networkProfile?.networkInterfaceConfigurations ?? []);
  const subnets: string[] = [];
  for (const nic of nics) {
    for (const ip of nic.properties?.ipConfigurations ?? []) {
      if (ip.properties?.publicIPAddressConfiguration) return { internet: true, via: `public IP on NIC ${nic.name}` };
      const subnetId = ip.properties?.subnet?.id;
      if (!subnetId) continue;
      const subnet = findSubnet(store, subnetId);
      const natId = subnet?.properties?.natGateway?.id;
      const nat = natId ? store.get(natId)?.doc : undefined;
      if (nat && (nat.properties?.publicIpAddresses ?? []).length) return { internet: true, via: `NAT gateway ${nat.name}` };
      if (!flexible && subnet && subnet.properties?.defaultOutboundAccess !== false)
        return { internet: true, via: 'default outbound access' };
      subnets.push(subnetId.slice(subnetId.lastIndexOf('/') + 1));
    }
  }
  const where = subnets.length ? `the subnet ${[...new Set(subnets)].join(', ')} has no NAT gateway` : 'the VM has no subnet';
  return {
    internet: false,
    reason: `no outbound internet: ${where} and no NIC has a public IP (Flexible scale set VMs get no default outbound access)`,
  };
}

export function guestOf(store: Store, vm: Json): Guest {
  const vmss = store.get(vm.properties?.virtualMachineScaleSet?.id ?? '')?.doc;
  const customData = vmss?.properties?.virtualMachineProfile?.osProfile?.customData ?? vm.properties?.osProfile?.customData;
  const text = decodeCustomData(customData);
  const gpuarbBootstrap = isGpuarbCloudInit(text);
  return { vmss, gpuarbBootstrap, simLoad: gpuarbBootstrap ? simLoadOf(text) : {}, outbound: outboundOf(store, vm, vmss) };
}
