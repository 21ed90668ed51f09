// A virtual machine's resource type and instance view (power state, vmHealth), shared by the
// single-VM APIs (compute-vms.ts) and the evictions that change a VM's power state
// (compute-evictions.ts), which otherwise would import each other.
import type { Json } from '../core/store.js';
import { armNow } from './common.js';

export const VM_TYPE = 'Microsoft.Compute/virtualMachines';

export function instanceView(computerName: string, power: 'running' | 'deallocated' | 'stopped' | 'starting', health?: string): Json {
  const t = armNow();
  const view: Json = {
    computerName,
    osName: 'ubuntu',
    osVersion: '22.04',
    statuses: [
      { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time: t },
      { code: `PowerState/${power}`, level: 'Info', displayStatus: power === 'running' ? 'VM running' : `VM ${power}` },
    ],
  };
  if (health) view.vmHealth = { status: { code: `HealthState/${health}`, level: 'Info', displayStatus: `The VM is ${health}`, time: t } };
  return view;
}
