// What every command that works on a stack needs first: the config, the derived names and the
// target (Azure or the local cloud, as the context resolved it). plan/up/down add their ARM client,
// desired graph and artifacts on top (src/provision/stack.ts).
import type { AzureTarget } from '../azure/target.js';
import type { GpuarbConfig } from '../config/schema.js';
import type { StackNames } from '../config/names.js';
import type { Context } from '../core/context.js';

export interface OpsStack {
  config: GpuarbConfig;
  names: StackNames;
  target: AzureTarget;
  resourceGroup: string;
}

export async function loadStack(ctx: Context): Promise<OpsStack> {
  const loaded = await ctx.config();
  const target = await ctx.target();
  return { config: loaded.config, names: loaded.names, target, resourceGroup: loaded.names.resourceGroup };
}
