// --evict-every: evicts a random Spot VM of the stack through the single-VM API
// (virtualMachines.simulateEviction). With Flexible orchestration the scale sets' instances are
// ordinary VMs in rg-<stack> that reference their scale set, so they are listed per resource
// group, not through the Uniform-only virtualMachineScaleSetVMs API. The same code runs against
// Azure and the local cloud: only the target (endpoint, CA, credential) differs.
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { Rng } from './rng.js';

export interface Evictor {
  /** Evicts one Spot VM; resolves to its name. */
  evictOne(): Promise<string>;
}

const STACK_TAG = 'gpuarb-stack';

export async function spotEvictor(ctx: Context, opts: { local: boolean; rng: Rng }): Promise<Evictor> {
  const loaded = await ctx.config();
  const stack = loaded.config.stack;
  const rg = loaded.names.resourceGroup;
  const target = await ctx.azure({ local: opts.local });
  const [{ ComputeManagementClient }, { armClientOptions }] = await Promise.all([import('@azure/arm-compute'), import('../azure/target.js')]);
  const client = new ComputeManagementClient(target.credential, target.subscriptionId, armClientOptions(target));

  const spotVms = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const vm of client.virtualMachines.list(rg, { abortSignal: ctx.signal })) {
      const ofStack = vm.tags?.[STACK_TAG] === stack || vm.virtualMachineScaleSet?.id !== undefined;
      // A VM already being deleted (evicted earlier) cannot be evicted again.
      const live = vm.provisioningState === undefined || vm.provisioningState === 'Succeeded';
      if (ofStack && vm.priority === 'Spot' && live && vm.name) names.push(vm.name);
    }
    return names;
  };

  // Checked before any load is sent: a chaos run without anything to evict is a wrong target.
  const initial = await spotVms().catch((e: unknown) => {
    throw new UserError(`Cannot list the VMs of ${rg} for --evict-every: ${(e as Error).message}`, { code: 'EvictTargetUnavailable', cause: e });
  });
  if (initial.length === 0) {
    throw new UserError(`--evict-every: ${rg} has no running Spot VM to evict.`, {
      code: 'NoSpotVm',
      hint: 'Is the stack up (`gpuarb status`) with Spot pools, and is --local (or the Azure target) the right one?',
    });
  }

  return {
    async evictOne() {
      const names = await spotVms();
      if (names.length === 0) throw new Error(`no running Spot VM in ${rg}`);
      const name = opts.rng.pick(names);
      await client.virtualMachines.simulateEviction(rg, name, { abortSignal: ctx.signal });
      return name;
    },
  };
}
