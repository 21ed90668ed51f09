// What every operator command needs first: the config, the derived names, and where ARM is.
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

export async function loadStack(ctx: Context, opts: { local?: boolean }): Promise<OpsStack> {
  const loaded = await ctx.config();
  const target = await ctx.azure({ local: opts.local });
  return { config: loaded.config, names: loaded.names, target, resourceGroup: loaded.names.resourceGroup };
}
