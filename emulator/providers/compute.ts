// The compute family: scale sets, their VMs, VMSS extensions, quota usages, capacity and
// evictions, and the `compute` service the control API drives.
import type { ComputeControl } from '../core/control.js';
import type { EmulatorCore } from '../core/emulator-core.js';
import { send } from '../core/http.js';
import { ComputeCapacity } from './compute-capacity.js';
import { Evictions } from './compute-evictions.js';
import { SPOT_QUOTA_FAMILY, VM_SKUS } from './compute-skus.js';
import { registerInstanceViewRoute, vmBehavior } from './compute-vms.js';
import { vmssBehavior } from './compute-vmss.js';

export function registerCompute(core: EmulatorCore): void {
  const capacity = new ComputeCapacity(core);
  const evictions = new Evictions(core);
  core.behaviors.register(vmssBehavior(capacity));
  core.behaviors.register(vmBehavior(capacity, () => evictions));
  core.behaviors.register({
    type: 'Microsoft.Compute/virtualMachineScaleSets/extensions',
    lro: { put: 'async-op', delete: 'async-op' },
    patch: true,
  });
  registerInstanceViewRoute(core);

  // GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{loc}/usages: quota per family.
  core.route(
    'GET',
    /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/usages$/i,
    async (_c, _req, res, _url, m) => {
      const families = [...new Set(VM_SKUS.map((s) => s.family)), SPOT_QUOTA_FAMILY];
      const value = families.map((f) => ({
        currentValue: capacity.usage(m[1], f),
        limit: capacity.limit(m[1], f),
        name: { value: f, localizedValue: f === SPOT_QUOTA_FAMILY ? 'Total Regional Low-priority vCPUs' : f },
        unit: 'Count',
      }));
      send(res, 200, { value });
    },
  );

  const control: ComputeControl = {
    setQuota: (l, f, n) => capacity.setQuota(l, f, n),
    setSpotCapacity: (l, s, z, n) => capacity.setSpotCapacity(l, s, z, n),
    setSkuAvailability: (l, s, z) => capacity.setSkuAvailability(l, s, z),
    evict: (id, o) => evictions.evict(id, o),
    scheduleEviction: (s) => evictions.schedule(s),
  };
  core.registerService('compute', control);
  core.registerService('evictions', evictions);
}
