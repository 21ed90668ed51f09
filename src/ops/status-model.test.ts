import { describe, expect, it } from 'vitest';
import type { RegistryDoc } from '../../contracts/registry.js';
import {
  buildStatus,
  instanceState,
  poolCost,
  trafficReport,
  type InstanceObservation,
  type PoolObservation,
  type StatusInput,
} from './status-model.js';
import { formatAge, renderStatus, table } from './status-render.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const vm = (name: string, over: Partial<InstanceObservation> = {}): InstanceObservation => ({
  name,
  priority: 'Spot',
  zone: '1',
  provisioningState: 'Succeeded',
  powerState: 'running',
  health: 'Healthy',
  createdAt: NOW - 600_000,
  evictionNotBefore: null,
  ...over,
});
const doc = (id: string, over: Partial<RegistryDoc> = {}): RegistryDoc => ({
  id,
  pool: 'phi',
  model: 'phi3-mini',
  address: 'http://10.0.0.4:8080',
  state: 'ready',
  inFlight: 2,
  queue: 1,
  tokensPerSecond: 120.4,
  zone: '1',
  priority: 'Spot',
  engine: 'sim',
  simulated: true,
  lastSeen: NOW - 1000,
  ...over,
});
const pool = (over: Partial<PoolObservation> = {}): PoolObservation => ({
  name: 'phi',
  model: 'phi3-mini',
  sku: 'Standard_NC4as_T4_v3',
  desired: 2,
  min: 1,
  max: 4,
  autoscaleEnabled: true,
  instances: [vm('phi_a'), vm('phi_b', { zone: '2', priority: 'Regular' })],
  pricePerHour: { spot: 0.1, regular: 0.5 },
  ...over,
});
const input = (over: Partial<StatusInput> = {}): StatusInput => ({
  now: NOW,
  pools: [pool()],
  registry: [doc('phi_a'), doc('phi_b', { priority: 'Regular', zone: '2' })],
  gateway: { ready: true, detail: '2 ready replicas' },
  traffic: [{ minutes: 5, requests: 100, errors: 1, cacheHits: 45 }],
  notes: [],
  ...over,
});

describe('instanceState', () => {
  it.each<[string, Partial<InstanceObservation>, RegistryDoc | undefined, boolean, string]>([
    ['failed provisioning', { provisioningState: 'Failed' }, doc('x'), true, 'failed'],
    ['still creating', { provisioningState: 'Creating' }, undefined, true, 'provisioning'],
    ['deallocated', { powerState: 'deallocated' }, doc('x'), true, 'stopped'],
    ['eviction notice', { evictionNotBefore: NOW + 20_000 }, doc('x'), true, 'evicting'],
    ['unhealthy beats the registry', { health: 'Unhealthy' }, doc('x'), true, 'unhealthy'],
    ['registry says draining', {}, doc('x', { state: 'draining' }), true, 'draining'],
    ['registry says ready', {}, doc('x'), true, 'ready'],
    ['no doc yet', {}, undefined, true, 'starting'],
    ['no registry: trust health', {}, undefined, false, 'ready'],
    ['no registry, initializing', { health: 'Initializing' }, undefined, false, 'starting'],
  ])('%s', (_label, over, d, known, expected) => {
    expect(instanceState(vm('x', over), d, known, NOW)).toBe(expected);
  });
});

describe('buildStatus', () => {
  it('a healthy pool: counts, zones, load, age, cost and rates', () => {
    const r = buildStatus(input());
    expect(r.degraded).toBe(false);
    expect(r.problems).toEqual([]);
    const p = r.pools[0];
    expect(p).toMatchObject({ actual: 2, ready: 2, desired: 2, spot: 1, regular: 1, zones: { '1': 1, '2': 1 }, costPerHour: 0.6 });
    expect(p.instances[0]).toMatchObject({ state: 'ready', ageSeconds: 600, load: { inFlight: 2, queue: 1, tokensPerSecond: 120.4 } });
    expect(r.costPerHour).toBe(0.6);
    expect(r.traffic).toEqual([{ minutes: 5, requestsPerMinute: 20, errorRate: 0.01, cacheHitRate: 0.45 }]);
  });

  it('degraded when a pool has fewer ready instances than its minimum', () => {
    const r = buildStatus(input({ pools: [pool({ min: 2 })], registry: [doc('phi_a'), doc('phi_b', { state: 'starting' })] }));
    expect(r.degraded).toBe(true);
    expect(r.problems).toEqual(['pool phi: 1 ready instance, below its minimum of 2']);
  });

  it('a stale registry document does not count as ready', () => {
    const r = buildStatus(input({ pools: [pool({ min: 2 })], registry: [doc('phi_a'), doc('phi_b', { lastSeen: NOW - 60_000 })] }));
    expect(r.pools[0].ready).toBe(1);
    expect(r.pools[0].instances[1].load).toBeNull();
    expect(r.degraded).toBe(true);
  });

  it('degraded when the gateway is not ready, or the scale set is missing', () => {
    expect(buildStatus(input({ gateway: { ready: false, detail: 'no ready replica' } })).problems).toEqual([
      'gateway not ready: no ready replica',
    ]);
    expect(buildStatus(input({ pools: [pool({ desired: null, instances: [] })] })).problems[0]).toMatch(/scale set does not exist/);
  });

  it('a gateway that was not probed is not a problem', () => {
    expect(buildStatus(input({ gateway: { ready: null, detail: 'no URL' } })).degraded).toBe(false);
  });

  it('min 0 with no instances is fine (scaled to zero on purpose)', () => {
    expect(buildStatus(input({ pools: [pool({ min: 0, desired: 0, instances: [] })] })).degraded).toBe(false);
  });

  it('warns about missing instances, evictions and unhealthy VMs without being degraded', () => {
    const r = buildStatus(
      input({
        pools: [pool({ desired: 3, instances: [vm('phi_a', { evictionNotBefore: NOW + 25_000 }), vm('phi_b', { health: 'Unhealthy' })] })],
        registry: [doc('phi_a'), doc('phi_b')],
      }),
    );
    expect(r.warnings).toEqual([
      'pool phi: 2 of 3 instances exist (Azure is still allocating, or Spot capacity is short)',
      'instance phi_a: Spot eviction notice, 25 s left',
      'instance phi_b: unhealthy',
    ]);
    expect(r.problems).toEqual(['pool phi: 0 ready instances, below its minimum of 1']);
  });

  it('deleting VMs are not counted as actual capacity', () => {
    const r = buildStatus(input({ pools: [pool({ instances: [vm('phi_a'), vm('phi_b', { provisioningState: 'Deleting' })] })] }));
    expect(r.pools[0].actual).toBe(1);
  });

  it('an unreadable registry is a warning; readiness then comes from health', () => {
    const r = buildStatus(input({ registry: null }));
    expect(r.pools[0].ready).toBe(2);
    expect(r.warnings[0]).toMatch(/registry could not be read/);
  });

  it('cost is unknown when a price needed is unknown', () => {
    expect(poolCost(1, 0, { spot: null, regular: 1 })).toBeNull();
    expect(poolCost(0, 2, { spot: null, regular: 1.25 })).toBe(2.5);
    expect(buildStatus(input({ pools: [pool({ pricePerHour: { spot: null, regular: 0.5 } })] })).costPerHour).toBeNull();
  });

  it('rates with no requests are unknown, not zero', () => {
    expect(trafficReport({ minutes: 60, requests: 0, errors: 0, cacheHits: 0 })).toEqual({
      minutes: 60,
      requestsPerMinute: 0,
      errorRate: null,
      cacheHitRate: null,
    });
  });
});

describe('renderStatus', () => {
  it('renders a stable plain text report', () => {
    const text = renderStatus(buildStatus(input())).join('\n');
    expect(text).toMatchInlineSnapshot(`
      "OK at 2025-03-01T12:00:00.000Z

      pool phi (phi3-mini on Standard_NC4as_T4_v3): 2 ready / 2 actual / 2 desired  [min 1, max 4, autoscale on]
        spot 1, regular 1, zones 1:1 2:1, cost $0.60/h
        INSTANCE  STATE  PRIORITY  ZONE  HEALTH   LOAD(inflight/queue/tok/s)  AGE  NOTICE
        phi_a     ready  Spot      1     Healthy  2/1/120                     10m
        phi_b     ready  Regular   2     Healthy  2/1/120                     10m

      gateway: ready (2 ready replicas)
      traffic 5m: 20 req/min, errors 1.0%, cache hits 45.0%
      cost: $0.60/h"
    `);
  });
  it('says DEGRADED with the problems first, and unknowns plainly', () => {
    const lines = renderStatus(
      buildStatus(
        input({ gateway: { ready: false, detail: 'cosmos unreachable' }, traffic: null, pools: [pool({ instances: [], desired: 0 })] }),
      ),
    );
    expect(lines[0]).toMatch(/^DEGRADED/);
    expect(lines[1]).toBe('  problem: pool phi: 0 ready instances, below its minimum of 1');
    expect(lines).toContain('  (no instances)');
    expect(lines).toContain('traffic: unknown (Log Analytics not reachable)');
    expect(lines).toContain('gateway: NOT READY (cosmos unreachable)');
  });
  it('formats ages and aligns tables', () => {
    expect([formatAge(null), formatAge(59), formatAge(600), formatAge(7200), formatAge(200_000)]).toEqual(['-', '59s', '10m', '2h', '2d']);
    expect(
      table([
        ['a', 'bb', 'c'],
        ['ccc', 'd', ''],
      ]),
    ).toEqual(['a    bb  c', 'ccc  d']);
  });
});
