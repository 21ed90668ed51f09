// Before `up` creates scale sets, check that their VMs fit the subscription's vCPU quota (per VM
// family for Regular VMs plus the regional total, `lowPriorityCores` for Spot), summed over every
// pool created in this run, and refuse with the family, the need, the limit and where to ask for
// more — instead of failing halfway through with half a platform written.
import { type QuotaLine, quotaLinesFor, quotaRequestHint, readComputeUsages, regularCount, vcpusOf } from '../azure/compute-quota.js';
import type { ArmClient } from '../azure/arm-client.js';
import { UserError } from '../core/errors.js';
import type { Plan } from './plan.js';
import type { DesiredGraph } from './types.js';

interface ScaleSetBody {
  location?: string;
  sku?: { name?: string; capacity?: number };
  properties?: {
    priorityMixPolicy?: { baseRegularPriorityCount?: number; regularPriorityPercentageAboveBase?: number };
    virtualMachineProfile?: { priority?: string };
  };
}

export interface QuotaShortfall {
  quota: string;
  location: string;
  pools: string[];
  needVcpus: number;
  limit: number;
  used: number;
}

/** The shortfalls for the scale sets this plan creates; [] when everything fits (or nothing is created). */
export async function quotaShortfalls(graph: DesiredGraph, plan: Plan, arm: ArmClient, signal?: AbortSignal): Promise<QuotaShortfall[]> {
  const creates = new Set(plan.changes.filter((c) => c.action === 'create').map((c) => c.id.toLowerCase()));
  const demand = new Map<string, { line: QuotaLine; location: string; pools: Set<string>; need: number }>();
  const usagesByLocation = new Map<string, Awaited<ReturnType<typeof readComputeUsages>>>();
  for (const r of graph.resources) {
    if (r.type !== 'Microsoft.Compute/virtualMachineScaleSets' || !creates.has(r.id.toLowerCase())) continue;
    const body = r.body as ScaleSetBody;
    const sku = body.sku?.name ?? '';
    const per = vcpusOf(sku);
    const location = body.location ?? '';
    if (!per || !location) continue;
    const n = body.sku?.capacity ?? 0;
    const mix = body.properties?.priorityMixPolicy;
    const spot = body.properties?.virtualMachineProfile?.priority === 'Spot';
    const regular = spot ? regularCount(n, mix?.baseRegularPriorityCount ?? 0, mix?.regularPriorityPercentageAboveBase ?? 0) : n;
    let usages = usagesByLocation.get(location);
    if (!usages) {
      usages = await readComputeUsages(arm, arm.subscriptionId, location, signal);
      usagesByLocation.set(location, usages);
    }
    const lines = quotaLinesFor(usages, sku);
    const pool = r.label.replace(/^vmss\//, '');
    const add = (line: QuotaLine | null, vms: number) => {
      if (!line || vms <= 0) return;
      const key = `${location}|${line.name}`;
      const d = demand.get(key) ?? { line, location, pools: new Set<string>(), need: 0 };
      d.pools.add(pool);
      d.need += vms * per;
      demand.set(key, d);
    };
    add(lines.spot, n - regular);
    add(lines.family, regular);
    add(lines.regional, regular);
  }
  return [...demand.values()]
    .filter((d) => d.line.used + d.need > d.line.limit)
    .map((d) => ({
      quota: d.line.name,
      location: d.location,
      pools: [...d.pools],
      needVcpus: d.need,
      limit: d.line.limit,
      used: d.line.used,
    }));
}

export function quotaError(shortfalls: QuotaShortfall[]): UserError {
  const lines = shortfalls.map(
    (s) =>
      `${s.quota} in ${s.location}: pools ${s.pools.join(', ')} need ${s.needVcpus} vCPUs, ` +
      `${Math.max(0, s.limit - s.used)} are left (${s.used} of ${s.limit} used)`,
  );
  return new UserError(`The stack's scale sets do not fit the vCPU quota: ${lines.join('; ')}.`, {
    code: 'QuotaExceeded',
    hint: [
      ...new Set(shortfalls.map((s) => quotaRequestHint(s.quota, s.location))),
      "Or lower the pools' initial capacity (capacity.initial / capacity.min) or their on-demand floor (spot.regularBase).",
    ].join(' '),
  });
}
