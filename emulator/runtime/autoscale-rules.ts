// One evaluation of an autoscale profile, as Azure's engine does it: each rule's metric is read
// per time grain (its statistic) over its time window, combined by its time aggregation and
// compared with its threshold; autoscale scales out if ANY scale-out rule is met and in only if
// ALL scale-in rules are met, waits out the cooldown of the last action, and keeps the result
// within the profile's minimum and maximum. Rules with no metric values in the window are not met.
// https://learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-understanding-settings
import type { Json } from '../core/store.js';
import type { GrainStatistic, MetricStore } from './metric-store.js';

/** ISO 8601 duration of days/hours/minutes/seconds (autoscale's PT1M, PT5M, PT10M…) in ms. */
export function durationMs(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(text ?? '');
  if (!m) throw new Error(`not an ISO 8601 duration: ${text}`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}

function aggregate(values: number[], how: string): number {
  switch (how) {
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'Total':
      return values.reduce((a, b) => a + b, 0);
    case 'Count':
      return values.length;
    case 'Last':
      return values[values.length - 1];
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  Equals: (a, b) => a === b,
  NotEquals: (a, b) => a !== b,
  GreaterThan: (a, b) => a > b,
  GreaterThanOrEqual: (a, b) => a >= b,
  LessThan: (a, b) => a < b,
  LessThanOrEqual: (a, b) => a <= b,
};

/** The rule's metric condition now: its aggregated value and whether it is met (no data: not met). */
export function ruleMet(rule: Json, targetId: string, metrics: MetricStore, now: number): { met: boolean; value: number | null } {
  const t = rule.metricTrigger ?? {};
  const filter: Record<string, string[]> = {};
  for (const d of t.dimensions ?? []) if ((d.Operator ?? 'Equals') === 'Equals') filter[d.DimensionName] = d.Values ?? [];
  const values = metrics.grains(
    { resourceId: t.metricResourceUri ?? targetId, namespace: t.metricNamespace || undefined, name: t.metricName, filter },
    (t.statistic ?? 'Average') as GrainStatistic,
    durationMs(t.timeGrain ?? 'PT1M'),
    now - durationMs(t.timeWindow ?? 'PT5M'),
    now,
  );
  if (values.length === 0) return { met: false, value: null };
  const value = aggregate(values, t.timeAggregation ?? 'Average');
  return { met: (COMPARE[t.operator] ?? (() => false))(value, Number(t.threshold)), value };
}

function step(action: Json, current: number): number {
  const v = Number(action.value ?? 1);
  const sign = action.direction === 'Decrease' ? -1 : 1;
  if (action.type === 'ExactCount') return v;
  if (action.type === 'PercentChangeCount') return current + sign * Math.max(1, Math.ceil((current * v) / 100));
  return current + sign * v;
}

export interface ScaleDecision {
  capacity: number;
  reason: string;
}

/**
 * The capacity the profile asks for now, or null to leave the target alone. `lastActionAt` is
 * when this setting last scaled the target (cooldowns count from it).
 */
export function decide(
  profile: Json,
  targetId: string,
  current: number,
  metrics: MetricStore,
  now: number,
  lastActionAt?: number,
): ScaleDecision | null {
  const min = Number(profile.capacity?.minimum);
  const max = Number(profile.capacity?.maximum);
  if (current < min) return { capacity: min, reason: `below the minimum ${min}` };
  if (current > max) return { capacity: max, reason: `above the maximum ${max}` };
  const cooled = (r: Json) => lastActionAt === undefined || now - lastActionAt >= durationMs(r.scaleAction?.cooldown ?? 'PT5M');
  const rules: Json[] = profile.rules ?? [];
  const out = rules.filter((r) => r.scaleAction?.direction === 'Increase');
  const inn = rules.filter((r) => r.scaleAction?.direction === 'Decrease');
  const firing = out.filter((r) => cooled(r) && ruleMet(r, targetId, metrics, now).met);
  if (firing.length) {
    const capacity = Math.min(max, Math.max(...firing.map((r) => step(r.scaleAction, current))));
    return capacity > current ? { capacity, reason: `scale-out rule on ${firing[0].metricTrigger.metricName} met` } : null;
  }
  if (inn.length && inn.every((r) => cooled(r) && ruleMet(r, targetId, metrics, now).met)) {
    const capacity = Math.max(min, Math.min(...inn.map((r) => step(r.scaleAction, current))));
    return capacity < current ? { capacity, reason: `every scale-in rule met (${inn[0].metricTrigger.metricName})` } : null;
  }
  return null;
}
