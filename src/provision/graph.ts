// Graph helpers shared by plan, apply, down and the benchmark. ARM ids are case-insensitive,
// so every lookup goes through idKey.
import type { DesiredResource } from './types.js';

export const idKey = (id: string): string => id.toLowerCase();

/**
 * Dependencies before dependents; stable (keeps the builders' order among independent
 * resources). Throws on a dependency that is not in the graph or on a cycle: both are bugs in
 * the desired-state builders, caught by the snapshot test.
 */
export function topoSort(resources: DesiredResource[]): DesiredResource[] {
  const byId = new Map(resources.map((r) => [idKey(r.id), r]));
  if (byId.size !== resources.length) throw new Error('duplicate resource id in desired graph');
  const state = new Map<string, 'visiting' | 'done'>();
  const out: DesiredResource[] = [];
  const visit = (r: DesiredResource, path: string[]) => {
    const k = idKey(r.id);
    if (state.get(k) === 'done') return;
    if (state.get(k) === 'visiting') throw new Error(`dependency cycle: ${[...path, r.id].join(' -> ')}`);
    state.set(k, 'visiting');
    for (const d of r.dependsOn) {
      const dep = byId.get(idKey(d));
      if (!dep) throw new Error(`${r.id} depends on ${d}, which is not in the graph`);
      visit(dep, [...path, r.id]);
    }
    state.set(k, 'done');
    out.push(r);
  };
  for (const r of resources) visit(r, []);
  return out;
}

/**
 * Longest dependency chain of the given per-resource durations: the lower bound of any
 * schedule with unlimited parallelism (the denominator of the bench's efficiency ratio).
 */
export function criticalPathMs(resources: DesiredResource[], durationMs: (r: DesiredResource) => number): number {
  const finish = new Map<string, number>();
  let max = 0;
  for (const r of topoSort(resources)) {
    const start = Math.max(0, ...r.dependsOn.map((d) => finish.get(idKey(d)) ?? 0));
    const end = start + durationMs(r);
    finish.set(idKey(r.id), end);
    max = Math.max(max, end);
  }
  return max;
}
