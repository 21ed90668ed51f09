// VM hours each pool has actually run in a window, by priority, from the scale sets' current VMs
// (`timeCreated`, `priority`). VMs already gone (evicted, scaled in) are not in ARM any more, so
// this is a floor on the hours billed; `usage --margin` says so.
import type { Context } from '../core/context.js';
import { computeClient } from './azure-clients.js';
import { loadStack } from './stack.js';

export interface PoolHours {
  regularHours: number;
  spotHours: number;
  vms: number;
}

/** Hours inside [fromMs, toMs] (toMs: now when absent). */
export async function poolHours(ctx: Context, opts: { fromMs: number; toMs?: number }): Promise<Map<string, PoolHours>> {
  const stack = await loadStack(ctx);
  const compute = await computeClient(stack.target);
  const now = opts.toMs ?? ctx.clock.now();
  const out = new Map<string, PoolHours>();
  for (const pool of stack.config.pools) {
    const vmssId = `/subscriptions/${stack.target.subscriptionId}/resourceGroups/${stack.resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/${stack.names.vmss[pool.name]}`;
    const hours: PoolHours = { regularHours: 0, spotHours: 0, vms: 0 };
    // Flexible orchestration: the instances are ordinary VMs that reference the scale set.
    const filter = `'virtualMachineScaleSet/id' eq '${vmssId}'`;
    for await (const vm of compute.virtualMachines.list(stack.resourceGroup, { filter })) {
      if (vm.virtualMachineScaleSet?.id?.toLowerCase() !== vmssId.toLowerCase()) continue;
      const created = vm.timeCreated ? new Date(vm.timeCreated).getTime() : opts.fromMs;
      const h = Math.max(0, now - Math.max(created, opts.fromMs)) / 3_600_000;
      if (vm.priority === 'Spot' || vm.priority === 'Low') hours.spotHours += h;
      else hours.regularHours += h;
      hours.vms++;
    }
    out.set(pool.name, hours);
  }
  return out;
}
