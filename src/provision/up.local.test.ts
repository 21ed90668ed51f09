import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { buildDesiredGraph } from './desired/index.js';
import { defaultTestInput } from '../../testkit/fixtures/stack-config.js';
import { computePlan } from './plan.js';
import { applyPlan } from './apply.js';
import { renderPlanText } from './render-plan.js';

describe('up on the local cloud', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud();
  });
  afterAll(async () => cloud?.stop());

  it('creates everything from nothing, then a second run is a no-op with zero writes', async () => {
    const graph = buildDesiredGraph(defaultTestInput({}, cloud.emulator.subscriptionId));
    const plan = await computePlan(graph, cloud.arm);
    expect(plan.changes.every((c) => c.action === 'create')).toBe(true);
    expect(plan.changes).toHaveLength(graph.resources.length);
    const result = await applyPlan(graph, plan, cloud.arm, { parallel: 8 });
    const failed = result.steps.filter((s) => s.state !== 'done');
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);

    const before = cloud.counter.writes;
    const again = await computePlan(graph, cloud.arm);
    expect(renderPlanText(again)).toMatch(/^No changes/);
    expect(again.changes, JSON.stringify(again.changes, null, 2)).toEqual([]);
    expect(cloud.counter.writes - before).toBe(0);
  });
});
