// The pure rules of `gpuarb scale`: what a request means, and what Azure would refuse (or what
// would not do what the operator wants), checked BEFORE any call, each with a hint.
import { quotaRequestHint, regularCount, vcpusOf } from '../azure/compute-quota.js';

export { regularCount, vcpusOf };
import { UserError } from '../core/errors.js';

export type ScaleRequest =
  | { kind: 'capacity'; to: number }
  | { kind: 'bounds'; min: number; max: number }
  | { kind: 'mix'; regularBase?: number; regularPercent?: number }
  | { kind: 'autoscale'; enabled: boolean };

export interface ScaleSetFacts {
  pool: string;
  sku: string;
  capacity: number;
  priority: 'Spot' | 'Regular';
  orchestrationMode: string;
  mix: { regularBase: number; regularPercent: number } | null;
  /** The autoscale profile's bounds, or the config's when there is no setting. */
  min: number;
  max: number;
  autoscale: { exists: boolean; enabled: boolean };
  /**
   * vCPU quota lines (limit and current use) the new VMs count against: Spot VMs the regional
   * low-priority quota; Regular VMs their VM family's quota and the regional total. `name` is
   * the usages API's name of the line; null = unknown (not a refusal: Azure still checks).
   */
  quota: { spot: QuotaFact | null; regular: QuotaFact | null; regional?: QuotaFact | null };
  /** The scale set's location (named in quota refusals). */
  location?: string;
}

export interface QuotaFact {
  limit: number;
  used: number;
  name?: string;
}

export interface ScalePlan {
  /** New sku.capacity, when it changes. */
  capacity?: number;
  mix?: { regularBase: number; regularPercent: number };
  autoscale?: { enabled?: boolean; min?: number; max?: number };
  /** Things that will happen that the operator may not expect. */
  warnings: string[];
}

const refuse = (message: string, hint: string, code = 'ScaleRefused') => new UserError(message, { code, hint });

export function planScale(req: ScaleRequest, f: ScaleSetFacts): ScalePlan {
  const warnings: string[] = [];
  switch (req.kind) {
    case 'capacity': {
      if (!Number.isInteger(req.to) || req.to < 0)
        throw refuse(`--to must be a whole number ≥ 0 (got ${req.to}).`, `e.g. gpuarb scale ${f.pool} --to 3`, 'UsageError');
      if (req.to < f.min || req.to > f.max) {
        throw refuse(
          `Pool ${f.pool} cannot be scaled to ${req.to}: its bounds are min ${f.min}, max ${f.max}.`,
          `Widen the bounds first: gpuarb scale ${f.pool} --min ${Math.min(f.min, req.to)} --max ${Math.max(f.max, req.to)}`,
          'OutsideBounds',
        );
      }
      checkQuota(f, req.to);
      if (f.autoscale.exists && f.autoscale.enabled)
        warnings.push(`autoscale is on for ${f.pool}: it will move capacity within ${f.min}–${f.max} again; pin it with --autoscale off`);
      return { capacity: req.to, warnings };
    }
    case 'bounds': {
      const { min, max } = req;
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < 1 || min > max) {
        throw refuse(
          `Invalid bounds min ${min}, max ${max}: need 0 ≤ min ≤ max and max ≥ 1.`,
          `e.g. gpuarb scale ${f.pool} --min 1 --max 4`,
          'UsageError',
        );
      }
      if (!f.autoscale.exists)
        throw refuse(
          `Pool ${f.pool} has no autoscale setting to hold bounds.`,
          'Run `gpuarb up` to create it, or use --to to set the capacity directly.',
          'AutoscaleMissing',
        );
      const clamped = Math.min(max, Math.max(min, f.capacity));
      if (clamped !== f.capacity) {
        checkQuota(f, clamped);
        warnings.push(`capacity ${f.capacity} is outside the new bounds: set to ${clamped}`);
      }
      return { autoscale: { min, max }, capacity: clamped !== f.capacity ? clamped : undefined, warnings };
    }
    case 'mix': {
      if (f.priority !== 'Spot') {
        throw refuse(
          `Pool ${f.pool} runs Regular VMs: a Spot priority mix cannot be added to an existing scale set (Azure fixes priority at creation).`,
          `Enable spot for the pool in gpuarb.yaml, then recreate it: gpuarb down --pool ${f.pool} && gpuarb up`,
          'SpotChangeNotAllowed',
        );
      }
      if (f.orchestrationMode !== 'Flexible')
        throw refuse(
          `Spot Priority Mix needs Flexible orchestration; ${f.pool} is ${f.orchestrationMode}.`,
          'Recreate the pool with `gpuarb up` (gpuarb creates Flexible scale sets).',
          'SpotChangeNotAllowed',
        );
      const base = req.regularBase ?? f.mix?.regularBase ?? 0;
      const percent = req.regularPercent ?? f.mix?.regularPercent ?? 0;
      if (!Number.isInteger(base) || base < 0 || base > 1000)
        throw refuse(`--regular-base must be 0–1000 (got ${base}).`, 'The number of on-demand VMs before any Spot.', 'UsageError');
      if (!Number.isInteger(percent) || percent < 0 || percent > 100)
        throw refuse(`--regular-percent must be 0–100 (got ${percent}).`, 'The share of on-demand VMs above the base.', 'UsageError');
      const nowRegular = regularCount(f.capacity, f.mix?.regularBase ?? 0, f.mix?.regularPercent ?? 0);
      const thenRegular = regularCount(f.capacity, base, percent);
      if (thenRegular > nowRegular) {
        const q = f.quota.regular;
        const need = (thenRegular - nowRegular) * (vcpusOf(f.sku) ?? 0);
        if (q && q.used + need > q.limit) throw overQuota(f, 'Regular', need, q);
      }
      // Azure applies a new mix to instances created from now on; running VMs keep their priority.
      warnings.push('the new mix applies to VMs created from now on; running VMs keep their priority');
      return { mix: { regularBase: base, regularPercent: percent }, warnings };
    }
    case 'autoscale': {
      if (!f.autoscale.exists)
        throw refuse(`Pool ${f.pool} has no autoscale setting.`, 'Run `gpuarb up` to create it.', 'AutoscaleMissing');
      return { autoscale: { enabled: req.enabled }, warnings };
    }
  }
}

function overQuota(f: ScaleSetFacts, priority: 'Spot' | 'Regular', need: number, q: QuotaFact) {
  const name = q.name ?? (priority === 'Spot' ? 'lowPriorityCores' : 'the VM family');
  const where = f.location ? ` in ${f.location}` : '';
  return refuse(
    `Scaling ${f.pool} needs ${need} more ${priority} vCPUs of ${f.sku}, ` +
      `but the ${name} quota${where} has ${Math.max(0, q.limit - q.used)} left (${q.used} of ${q.limit} used).`,
    priority === 'Spot'
      ? `${quotaRequestHint('lowPriorityCores', f.location ?? 'the region')} Or scale another pool down, or add an on-demand floor with --regular-base.`
      : `${quotaRequestHint(q.name ?? 'VM family', f.location ?? 'the region')} Or lower --regular-base / --regular-percent.`,
    'QuotaExceeded',
  );
}

/** Refuses a capacity that needs more vCPUs than the regional quota has left. */
export function checkQuota(f: ScaleSetFacts, to: number): void {
  if (to <= f.capacity) return;
  const per = vcpusOf(f.sku);
  if (per === undefined) return;
  const base = f.mix?.regularBase ?? 0;
  const percent = f.mix?.regularPercent ?? 0;
  const isSpot = f.priority === 'Spot';
  const addRegular = isSpot ? regularCount(to, base, percent) - regularCount(f.capacity, base, percent) : to - f.capacity;
  const addSpot = to - f.capacity - addRegular;
  if (addSpot > 0 && f.quota.spot && f.quota.spot.used + addSpot * per > f.quota.spot.limit)
    throw overQuota(f, 'Spot', addSpot * per, f.quota.spot);
  for (const line of [f.quota.regular, f.quota.regional]) {
    if (addRegular > 0 && line && line.used + addRegular * per > line.limit) throw overQuota(f, 'Regular', addRegular * per, line);
  }
}
