// --evict-every: evicts a random Spot VM of the stack through the single-VM API
// (virtualMachines.simulateEviction). With Flexible orchestration the scale sets' instances are
// ordinary VMs in rg-<stack> that reference their scale set, so they are listed per resource
// group, not through the Uniform-only virtualMachineScaleSetVMs API. The same code runs against
// Azure and the local cloud: only the target (endpoint, CA, credential) differs.
import type { ComputeManagementClient } from '@azure/arm-compute';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { Rng } from './rng.js';

export interface Evictor {
  /** Evicts one Spot VM; resolves to its name. */
  evictOne(): Promise<string>;
}

const STACK_TAG = 'gpuarb-stack';

export interface EvictorTarget {
  compute: Pick<ComputeManagementClient, 'virtualMachines'>;
  resourceGroup: string;
  stack: string;
  rng: Rng;
  signal?: AbortSignal;
}

/** Builds the compute client for the stack (Azure, or the local cloud with --local). */
export async function spotEvictor(ctx: Context, opts: { rng: Rng }): Promise<Evictor> {
  const loaded = await ctx.config();
  const target = await ctx.target();
  const [{ ComputeManagementClient }, { armClientOptions }] = await Promise.all([
    import('@azure/arm-compute'),
    import('../azure/target.js'),
  ]);
  const compute = new ComputeManagementClient(target.credential, target.subscriptionId, armClientOptions(target));
  return spotEvictorFor({
    compute,
    resourceGroup: loaded.names.resourceGroup,
    stack: loaded.config.stack,
    rng: opts.rng,
    signal: ctx.signal,
  });
}

/** Checks there is something to evict (before any load is sent), then evicts on demand. */
export async function spotEvictorFor(t: EvictorTarget): Promise<Evictor> {
  const spotVms = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const vm of t.compute.virtualMachines.list(t.resourceGroup, { abortSignal: t.signal })) {
      const ofStack = vm.tags?.[STACK_TAG] === t.stack || vm.virtualMachineScaleSet?.id !== undefined;
      // A VM already being deleted (evicted earlier) cannot be evicted again.
      const live = vm.provisioningState === undefined || vm.provisioningState === 'Succeeded';
      if (ofStack && vm.priority === 'Spot' && live && vm.name) names.push(vm.name);
    }
    return names;
  };

  const initial = await spotVms().catch((e: unknown) => {
    throw new UserError(`Cannot list the VMs of ${t.resourceGroup} for --evict-every: ${(e as Error).message}`, {
      code: 'EvictTargetUnavailable',
      cause: e,
    });
  });
  if (initial.length === 0) {
    throw new UserError(`--evict-every: ${t.resourceGroup} has no running Spot VM to evict.`, {
      code: 'NoSpotVm',
      hint: 'Is the stack up (`gpuarb status`) with Spot pools, and is --local (or the Azure target) the right one?',
    });
  }

  return {
    async evictOne() {
      const names = await spotVms();
      if (names.length === 0) throw new Error(`no running Spot VM in ${t.resourceGroup}`);
      const name = t.rng.pick(names);
      await t.compute.virtualMachines.simulateEviction(t.resourceGroup, name, { abortSignal: t.signal });
      return name;
    },
  };
}
