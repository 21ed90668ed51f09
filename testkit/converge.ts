// Test/bench helper: plan + apply in one call, as `up --yes` does.
import type { ArmClient } from '../src/azure/arm-client.js';
import { applyPlan, type ApplyOptions, type ApplyResult } from '../src/provision/apply.js';
import { computePlan, type Plan } from '../src/provision/plan.js';
import type { DesiredGraph } from '../src/provision/types.js';

export async function converge(graph: DesiredGraph, arm: ArmClient, opts: ApplyOptions = {}): Promise<{ plan: Plan; result: ApplyResult }> {
  const plan = await computePlan(graph, arm, { signal: opts.signal });
  const result = await applyPlan(graph, plan, arm, opts);
  return { plan, result };
}

export const FAST_RETRY = { attempts: 4, baseMs: 10, capMs: 100 };
