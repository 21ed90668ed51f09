// `gpuarb scale`: reads the facts (scale set, autoscale setting, regional quota), lets
// scale-rules.ts refuse what cannot work, applies the change, and waits until the new
// instances are ready, reporting each instance's progress on stderr.
import { quotaLinesFor, type UsageEntry } from '../azure/compute-quota.js';
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { arm, computeClient, isNotFound, lroOptions, monitorClient } from './azure-clients.js';
import { planScale, type ScalePlan, type ScaleRequest, type ScaleSetFacts } from './scale-rules.js';
import { autoscaleSettingName, readRegistry, toInstance } from './status-collect.js';
import { instanceState, type InstanceState } from './status-model.js';
import { loadStack, type OpsStack } from './stack.js';

export interface ScaleOptions {
  wait?: boolean;
  /** Bound on the wait, seconds. */
  timeoutSeconds?: number;
}

export interface ScaleResult {
  pool: string;
  request: ScaleRequest;
  applied: Omit<ScalePlan, 'warnings'>;
  warnings: string[];
  /** After the wait (or right after the change with --no-wait). */
  capacity: number;
  ready: number | null;
  waited: boolean;
}

async function facts(stack: OpsStack, poolName: string) {
  const pool = stack.config.pools.find((p) => p.name === poolName);
  if (!pool)
    throw new UserError(`No pool named "${poolName}" in ${stack.config.stack}.`, {
      code: 'UnknownPool',
      hint: `Pools: ${stack.config.pools.map((p) => p.name).join(', ')}.`,
    });
  const compute = await computeClient(stack.target);
  const vmssName = stack.names.vmss[pool.name];
  const vmss = await arm(compute.virtualMachineScaleSets.get(stack.resourceGroup, vmssName), vmssName);
  const monitor = await monitorClient(stack.target);
  let setting: Awaited<ReturnType<typeof monitor.autoscaleSettings.get>> | undefined;
  try {
    setting = await monitor.autoscaleSettings.get(stack.resourceGroup, autoscaleSettingName(pool.name));
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  let quota: ScaleSetFacts['quota'] = { spot: null, regular: null };
  const location = vmss.location ?? stack.config.location;
  try {
    const usages: UsageEntry[] = [];
    for await (const u of compute.usage.list(location)) usages.push(u);
    const lines = quotaLinesFor(usages, vmss.sku?.name ?? pool.sku);
    quota = { spot: lines.spot, regular: lines.family, regional: lines.regional };
  } catch {
    // Unknown quota is not a refusal: Azure still checks, and its error maps to a hint.
  }
  const cap = setting?.profiles?.[0]?.capacity;
  const mix = vmss.priorityMixPolicy;
  const f: ScaleSetFacts = {
    pool: pool.name,
    sku: vmss.sku?.name ?? pool.sku,
    capacity: vmss.sku?.capacity ?? 0,
    priority: vmss.virtualMachineProfile?.priority === 'Spot' || vmss.virtualMachineProfile?.priority === 'Low' ? 'Spot' : 'Regular',
    orchestrationMode: vmss.orchestrationMode ?? 'Uniform',
    mix: mix ? { regularBase: mix.baseRegularPriorityCount ?? 0, regularPercent: mix.regularPriorityPercentageAboveBase ?? 0 } : null,
    min: cap ? Number(cap.minimum) : pool.capacity.min,
    max: cap ? Number(cap.maximum) : pool.capacity.max,
    autoscale: { exists: Boolean(setting), enabled: setting?.enabled ?? false },
    quota,
    location,
  };
  return { f, pool, vmssName, vmssId: vmss.id ?? '', setting, compute, monitor };
}

export async function scalePool(ctx: Context, poolName: string, req: ScaleRequest, opts: ScaleOptions = {}): Promise<ScaleResult> {
  const stack = await loadStack(ctx);
  const { f, vmssName, vmssId, setting, compute, monitor } = await facts(stack, poolName);
  const plan = planScale(req, f);
  for (const w of plan.warnings) ctx.io.warn(w);
  const lro = lroOptions(stack.target);
  if (plan.autoscale && setting) {
    const profiles = (setting.profiles ?? []).map((p) => {
      const min = plan.autoscale?.min ?? Number(p.capacity.minimum);
      const max = plan.autoscale?.max ?? Number(p.capacity.maximum);
      const def = Math.min(max, Math.max(min, Number(p.capacity.default)));
      return { ...p, capacity: { minimum: String(min), maximum: String(max), default: String(def) } };
    });
    await arm(
      monitor.autoscaleSettings.createOrUpdate(stack.resourceGroup, setting.name ?? autoscaleSettingName(poolName), {
        ...setting,
        profiles,
        enabled: plan.autoscale.enabled ?? setting.enabled,
      }),
    );
    const state =
      plan.autoscale.enabled === undefined ? `bounds ${plan.autoscale.min}–${plan.autoscale.max}` : plan.autoscale.enabled ? 'on' : 'off';
    ctx.io.info(`autoscale ${poolName}: ${state}`);
  }
  // arm-compute 24 is the new generation: FLATTENED update bodies (a nested `properties` would be
  // dropped without an error).
  if (plan.mix) {
    await arm(
      compute.virtualMachineScaleSets.update(
        stack.resourceGroup,
        vmssName,
        {
          priorityMixPolicy: {
            baseRegularPriorityCount: plan.mix.regularBase,
            regularPriorityPercentageAboveBase: plan.mix.regularPercent,
          },
        },
        lro,
      ),
      vmssId,
    );
    ctx.io.info(`priority mix ${poolName}: ${plan.mix.regularBase} regular base, ${plan.mix.regularPercent}% regular above it`);
  }
  if (plan.capacity !== undefined) {
    ctx.io.info(`capacity ${poolName}: ${f.capacity} → ${plan.capacity}`);
    await arm(compute.virtualMachineScaleSets.update(stack.resourceGroup, vmssName, { sku: { capacity: plan.capacity } }, lro), vmssId);
  }
  const target = plan.capacity ?? f.capacity;
  const applied = { capacity: plan.capacity, mix: plan.mix, autoscale: plan.autoscale };
  if (opts.wait === false || plan.capacity === undefined)
    return { pool: poolName, request: req, applied, warnings: plan.warnings, capacity: target, ready: null, waited: false };
  const ready = await waitForInstances(ctx, stack, vmssId, target, opts.timeoutSeconds ?? 1800);
  return { pool: poolName, request: req, applied, warnings: plan.warnings, capacity: target, ready, waited: true };
}

/** Polls the scale set's VMs until exactly `target` exist and all are ready; prints changes. */
async function waitForInstances(ctx: Context, stack: OpsStack, vmssId: string, target: number, timeoutSeconds: number): Promise<number> {
  const compute = await computeClient(stack.target);
  const deadline = ctx.clock.now() + timeoutSeconds * 1000;
  const interval = stack.target.pollIntervalMs;
  const last = new Map<string, InstanceState>();
  for (;;) {
    const registry = await readRegistry(stack).catch(() => null);
    const now = ctx.clock.now();
    const states = new Map<string, InstanceState>();
    await arm(
      (async () => {
        for await (const vm of compute.virtualMachines.list(stack.resourceGroup, {
          filter: `'virtualMachineScaleSet/id' eq '${vmssId}'`,
          expand: 'instanceView',
        })) {
          if (vm.virtualMachineScaleSet?.id?.toLowerCase() !== vmssId.toLowerCase()) continue;
          const i = toInstance(vm);
          if (i.provisioningState.toLowerCase() === 'deleting') continue;
          states.set(
            i.name,
            instanceState(
              i,
              registry?.find((d) => d.id === i.name),
              registry !== null,
              now,
            ),
          );
        }
      })(),
      vmssId,
    );
    for (const [name, s] of states) if (last.get(name) !== s) ctx.io.info(`  ${name}: ${s}`);
    for (const name of last.keys()) if (!states.has(name)) ctx.io.info(`  ${name}: gone`);
    last.clear();
    for (const [k, v] of states) last.set(k, v);
    const ready = [...states.values()].filter((s) => s === 'ready').length;
    if (states.size === target && ready === target) return ready;
    if (ctx.clock.now() >= deadline) {
      throw new UserError(`Pool did not reach ${target} ready instances in ${timeoutSeconds} s (${ready} ready of ${states.size}).`, {
        code: 'ScaleTimeout',
        hint:
          'The change is applied; Azure may still be allocating (Spot capacity). ' +
          'Watch with `gpuarb status --watch`; `gpuarb logs --pool <pool>` shows why instances are not ready.',
      });
    }
    await ctx.clock.sleep(interval, ctx.signal);
  }
}
