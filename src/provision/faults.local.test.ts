// Seeded fault schedules (429 with Retry-After, 5xx, failed long-running operations, random
// rates) plus interruptions at random points. Every schedule must converge on rerun to the same
// state as a clean run, with no duplicate and no orphaned resource.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { converge, FAST_RETRY } from '../../testkit/converge.js';
import { buildDesiredGraph } from './desired/index.js';
import { defaultTestInput } from '../../testkit/fixtures/stack-config.js';
import { computePlan } from './plan.js';
import { destroyStack, listStackResources } from './down.js';
import { idKey } from './graph.js';
import type { DesiredGraph } from './types.js';
import { mulberry32 } from '../../lib/mulberry32.js';

/** Small deterministic PRNG (mulberry32): a schedule replays from its seed. */
const rng = mulberry32;

const TYPES = [
  'Microsoft.Compute/virtualMachineScaleSets',
  'Microsoft.Web/sites',
  'Microsoft.KeyVault/vaults',
  'Microsoft.DocumentDB/databaseAccounts',
  'Microsoft.ApiManagement/service',
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Authorization/roleAssignments',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.KeyVault/vaults/secrets',
  'Microsoft.Insights/autoscaleSettings',
];

/** Owned state per resource type, counted: equal between a clean and a faulted stack. */
async function shape(cloud: LocalCloud, graph: DesiredGraph) {
  const listed = await listStackResources(cloud.arm, {
    stack: graph.stack,
    subscriptionId: graph.subscriptionId,
    resourceGroupId: graph.resourceGroupId,
    location: graph.location,
  });
  const desired = new Set(graph.resources.map((r) => idKey(r.id)));
  const orphans = listed.filter((r) => !desired.has(idKey(r.id))).map((r) => r.id);
  const ids = listed.map((r) => idKey(r.id));
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  const byType: Record<string, number> = {};
  for (const r of listed) byType[r.type] = (byType[r.type] ?? 0) + 1;
  return { orphans, duplicates, byType };
}

describe('fault schedules on the local cloud', () => {
  let cloud: LocalCloud;
  let clean: Awaited<ReturnType<typeof shape>>;
  beforeAll(async () => {
    cloud = await startLocalCloud();
    const g = buildDesiredGraph(defaultTestInput({ stack: 'clean' }, cloud.emulator.subscriptionId));
    expect((await converge(g, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    clean = await shape(cloud, g);
  });
  afterAll(async () => cloud?.stop());

  const SCHEDULES = 24;
  it(`converges after each of ${SCHEDULES} seeded schedules`, { timeout: 240_000 }, async () => {
    const disturbed: number[] = [];
    for (let seed = 1; seed <= SCHEDULES; seed++) {
      const rand = rng(seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
      const c = cloud.emulator.control;
      c.resetFaults();
      const faults: string[] = [];
      for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) {
        const type = pick(TYPES);
        const kind = pick(['throttle', 'server', 'lro']);
        if (kind === 'throttle')
          c.throttle({ type, method: 'PUT', count: 1 + Math.floor(rand() * 3), retryAfterSeconds: rand() < 0.2 ? 1 : 0 });
        else if (kind === 'server') c.serverError({ type, count: 1 + Math.floor(rand() * 3), status: pick([500, 502, 503]) });
        else
          c.failOperations({
            type,
            count: 1 + Math.floor(rand() * 2),
            code: pick(['InternalServerError', 'OperationPreempted', 'RetryableError']),
          });
        faults.push(`${kind}:${type.split('/').pop()}`);
      }
      if (rand() < 0.5) c.setFaultRates({ throttle: 0.03, serverError: 0.03 });
      const stack = `fault${seed}`;
      const graph = buildDesiredGraph(defaultTestInput({ stack }, cloud.emulator.subscriptionId));
      // Interrupt half the schedules after a random number of finished steps (Ctrl-C).
      const interruptAfter = rand() < 0.5 ? 1 + Math.floor(rand() * 40) : undefined;
      const ac = new AbortController();
      let finished = 0;
      const first = await converge(graph, cloud.arm, {
        retry: FAST_RETRY,
        parallel: 1 + Math.floor(rand() * 8),
        signal: ac.signal,
        onEvent: (e) => {
          if (e.state === 'done' && ++finished === interruptAfter) ac.abort();
        },
      }).catch((e) => ({ error: e }));
      if ('error' in first || !first.result.ok) disturbed.push(seed);
      c.resetFaults();
      // Rerun (as an operator would) until nothing is left; bounded.
      let lastErrors = '';
      for (let runs = 0; runs < 3; runs++) {
        const { plan, result } = await converge(graph, cloud.arm, { retry: FAST_RETRY });
        lastErrors = result.steps.flatMap((x) => (x.error ? [`${x.label}: ${x.error.code}`] : [])).join('; ');
        if (plan.changes.length === 0 || result.ok) break;
      }
      const final = await computePlan(graph, cloud.arm);
      const firstOutcome = 'error' in first ? 'threw' : first.result.ok ? 'ok' : first.result.cancelled ? 'cancelled' : 'failed';
      const label = `seed ${seed} [${faults.join(', ')}] interrupt=${interruptAfter ?? 'no'} first=${firstOutcome} rerun errors: ${lastErrors}`;
      expect(final.changes, label).toEqual([]);
      const s = await shape(cloud, graph);
      expect(s.orphans, label).toEqual([]);
      expect(s.duplicates, label).toEqual([]);
      expect(s.byType, label).toEqual(clean.byType);
      // Tear the stack down again (keeps quota free for the next schedule; down under churn).
      const down = await destroyStack(cloud.arm, {
        stack,
        subscriptionId: graph.subscriptionId,
        resourceGroupId: graph.resourceGroupId,
        location: graph.location,
      });
      expect(down.failed, label).toEqual([]);
      expect(await cloud.arm.listByTag(graph.resourceGroupId, 'gpuarb-stack', stack), label).toEqual([]);
    }
    // The schedules must actually hurt: most first runs fail or are interrupted.
    expect(disturbed.length).toBeGreaterThanOrEqual(SCHEDULES / 2);
  });
});
