import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../testkit/cloud.js';
import { converge, FAST_RETRY } from '../../testkit/converge.js';
import { buildDesiredGraph } from './desired/index.js';
import { defaultTestInput } from '../../testkit/fixtures/stack-config.js';
import { computePlan } from './plan.js';
import { applyPlan, type ProgressEvent } from './apply.js';
import { plainSink, jsonSink } from './progress.js';
import { required } from '../../lib/required.js';

describe('apply engine on the local cloud', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud();
  });
  afterAll(async () => cloud?.stop());
  const graphFor = (stack: string) => buildDesiredGraph(defaultTestInput({ stack }, cloud.emulator.subscriptionId));

  it('never runs more than --parallel steps at once and streams typed events', async () => {
    const events: ProgressEvent[] = [];
    let running = 0;
    let peak = 0;
    const { result } = await converge(graphFor('par'), cloud.arm, {
      parallel: 3,
      retry: FAST_RETRY,
      onEvent: (e) => {
        events.push(e);
        if (e.state === 'running' && e.attempt === 1) peak = Math.max(peak, ++running);
        if (e.state === 'done' || e.state === 'failed') running--;
      },
    });
    expect(result.ok).toBe(true);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    const states = new Set(events.map((e) => e.state));
    expect([...states].sort()).toEqual(['done', 'pending', 'running']);
    const lines: string[] = [];
    const plain = plainSink((l) => lines.push(l));
    const json = jsonSink((l) => lines.push(l));
    const done = required(
      events.find((e) => e.state === 'done'),
      'a done event',
    );
    plain.event(done);
    json.event(done);
    expect(lines[0]).toMatch(/^\[\s+\d+\.\ds\] done\s+create /);
    expect(JSON.parse(lines[1])).toMatchObject({ state: 'done', action: 'create' });
  });

  it('honours Retry-After on throttled writes', async () => {
    cloud.emulator.control.throttle({
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
      method: 'PUT',
      count: 1,
      retryAfterSeconds: 1,
    });
    const started = Date.now();
    const { result } = await converge(graphFor('retryafter'), cloud.arm, { retry: FAST_RETRY });
    expect(result.ok).toBe(true);
    // One identity per component: the throttled PUT is whichever of them went first.
    const identity = required(
      result.steps.filter((s) => s.label.startsWith('identity/')).sort((a, b) => (b.elapsedMs ?? 0) - (a.elapsedMs ?? 0))[0],
      'an identity step',
    );
    expect(identity.elapsedMs).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('stops scheduling on abort (Ctrl-C): cancelled, the rest skipped, and the rerun converges', async () => {
    const graph = graphFor('abort');
    const plan = await computePlan(graph, cloud.arm);
    const ac = new AbortController();
    let done = 0;
    const result = await applyPlan(graph, plan, cloud.arm, {
      signal: ac.signal,
      retry: FAST_RETRY,
      onEvent: (e) => e.state === 'done' && ++done === 5 && ac.abort(),
    });
    expect(result.cancelled).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.steps.filter((s) => s.state === 'skipped').length).toBeGreaterThan(10);
    expect(result.steps.some((s) => s.state === 'pending' || s.state === 'running')).toBe(false);
    expect((await converge(graph, cloud.arm, { retry: FAST_RETRY })).result.ok).toBe(true);
    expect((await computePlan(graph, cloud.arm)).changes).toEqual([]);
  });
});
