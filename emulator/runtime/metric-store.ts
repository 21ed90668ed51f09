// Custom metric values as Azure Monitor holds them: each publish is a pre-aggregated point
// (min, max, sum, count) of one metric of one resource, with dimension values, at a minute.
// Autoscale reads them back per time grain (its `statistic`) over a window. Only what was
// actually published exists: a metric nobody has sent has no definition and no values.
// https://learn.microsoft.com/azure/azure-monitor/essentials/metrics-store-custom-rest-api

export interface MetricPoint {
  resourceId: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  /** Epoch ms of the point's minute. */
  time: number;
  min: number;
  max: number;
  sum: number;
  count: number;
}

export type GrainStatistic = 'Average' | 'Min' | 'Max' | 'Sum' | 'Count';

const MAX_POINTS = 50_000;

export class MetricStore {
  private points: MetricPoint[] = [];

  publish(point: MetricPoint): void {
    this.points.push(point);
    if (this.points.length > MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
  }

  /** Whether the metric was ever published for the resource (Azure's metric definition exists). */
  exists(resourceId: string, namespace: string | undefined, name: string): boolean {
    return this.points.some((p) => this.matches(p, resourceId, namespace, name, {}));
  }

  /**
   * One value per time grain in [from, to): the grain's points combined by `statistic`, for the
   * points whose dimensions match `filter` (name → allowed values). Grains without points are
   * absent, as Azure returns no value for them.
   */
  grains(
    q: { resourceId: string; namespace?: string; name: string; filter: Record<string, string[]> },
    statistic: GrainStatistic,
    grainMs: number,
    from: number,
    to: number,
  ): number[] {
    const buckets = new Map<number, MetricPoint[]>();
    for (const p of this.points) {
      if (p.time < from || p.time >= to || !this.matches(p, q.resourceId, q.namespace, q.name, q.filter)) continue;
      const key = Math.floor(p.time / grainMs);
      buckets.set(key, [...(buckets.get(key) ?? []), p]);
    }
    return [...buckets.keys()].sort((a, b) => a - b).map((k) => combine(buckets.get(k) ?? [], statistic));
  }

  private matches(p: MetricPoint, resourceId: string, namespace: string | undefined, name: string, filter: Record<string, string[]>) {
    return (
      p.resourceId.toLowerCase() === resourceId.toLowerCase() &&
      p.name.toLowerCase() === name.toLowerCase() &&
      (namespace === undefined || p.namespace.toLowerCase() === namespace.toLowerCase()) &&
      Object.entries(filter).every(([dim, values]) => values.includes(p.dimensions[dim] ?? ''))
    );
  }
}

function combine(points: MetricPoint[], statistic: GrainStatistic): number {
  const sum = points.reduce((s, p) => s + p.sum, 0);
  const count = points.reduce((s, p) => s + p.count, 0);
  switch (statistic) {
    case 'Min':
      return Math.min(...points.map((p) => p.min));
    case 'Max':
      return Math.max(...points.map((p) => p.max));
    case 'Sum':
      return sum;
    case 'Count':
      return count;
    default:
      return count === 0 ? 0 : sum / count;
  }
}
