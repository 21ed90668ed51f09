// The pure half of `gpuarb status`: what was observed (ARM, the registry, Log Analytics, prices)
// goes in, the report and its degraded verdict come out. No I/O here, so every rule is tested.
import type { RegistryDoc } from '../../contracts/registry.js';
import { REGISTRY_STALE_AFTER_MS } from '../../contracts/registry.js';

export type HealthState = 'Healthy' | 'Unhealthy' | 'Initializing' | 'Unknown';

/** One VM of a pool as ARM shows it (Flexible orchestration: an ordinary VM). */
export interface InstanceObservation {
  name: string;
  priority: 'Spot' | 'Regular' | null;
  zone: string | null;
  provisioningState: string;
  /** From the instance view's PowerState/* status, e.g. "running", "deallocated". */
  powerState: string | null;
  /** The Application Health extension's state (instance view vmHealth). */
  health: HealthState | null;
  /** Epoch ms the VM was created (timeCreated). */
  createdAt: number | null;
  /** A Preempt scheduled event's NotBefore (epoch ms), when one was announced. */
  evictionNotBefore: number | null;
}

export interface PoolObservation {
  name: string;
  model: string;
  sku: string;
  /** sku.capacity of the scale set, or null when the scale set does not exist. */
  desired: number | null;
  /** The floor that counts for "degraded": the autoscale profile's minimum, else config. */
  min: number;
  max: number;
  autoscaleEnabled: boolean | null;
  instances: InstanceObservation[];
  /** USD per hour for one VM by priority (Retail Prices), null when unknown. */
  pricePerHour: { spot: number | null; regular: number | null };
}

export interface TrafficWindow {
  minutes: number;
  requests: number;
  errors: number;
  cacheHits: number;
}

export interface GatewayObservation {
  /** null = not probed (no URL known); otherwise what /health/ready answered. */
  ready: boolean | null;
  detail: string;
}

export interface StatusInput {
  now: number;
  pools: PoolObservation[];
  /** Registry documents, or null when the registry could not be read. */
  registry: RegistryDoc[] | null;
  gateway: GatewayObservation;
  /** null when Log Analytics could not be queried. */
  traffic: TrafficWindow[] | null;
  /** Problems met while observing (shown, never fatal). */
  notes: string[];
}

export type InstanceState = 'provisioning' | 'starting' | 'ready' | 'draining' | 'evicting' | 'unhealthy' | 'stopped' | 'failed';

export interface InstanceReport {
  name: string;
  state: InstanceState;
  priority: 'Spot' | 'Regular' | null;
  zone: string | null;
  health: HealthState | null;
  ageSeconds: number | null;
  load: { inFlight: number; queue: number; tokensPerSecond: number } | null;
  evictionInSeconds: number | null;
}

export interface PoolReport {
  name: string;
  model: string;
  sku: string;
  desired: number | null;
  actual: number;
  ready: number;
  min: number;
  max: number;
  autoscale: boolean | null;
  spot: number;
  regular: number;
  zones: Record<string, number>;
  costPerHour: number | null;
  instances: InstanceReport[];
}

export interface TrafficReport {
  minutes: number;
  requestsPerMinute: number;
  errorRate: number | null;
  cacheHitRate: number | null;
}

export interface StatusReport {
  at: string;
  degraded: boolean;
  /** Why degraded: each a sentence that names the pool or the gateway. */
  problems: string[];
  warnings: string[];
  pools: PoolReport[];
  gateway: GatewayObservation;
  traffic: TrafficReport[] | null;
  costPerHour: number | null;
  notes: string[];
}

function freshDoc(registry: RegistryDoc[] | null, name: string, now: number): RegistryDoc | undefined {
  const d = registry?.find((x) => x.id === name);
  return d && now - d.lastSeen <= REGISTRY_STALE_AFTER_MS ? d : undefined;
}

/** One instance's state: ARM says whether it exists and runs, the registry whether it serves. */
export function instanceState(i: InstanceObservation, doc: RegistryDoc | undefined, registryKnown: boolean, now: number): InstanceState {
  const ps = i.provisioningState.toLowerCase();
  if (ps === 'failed') return 'failed';
  if (ps === 'creating' || ps === 'updating') return 'provisioning';
  if (i.powerState && i.powerState !== 'running' && i.powerState !== 'starting') return 'stopped';
  if (i.evictionNotBefore !== null && i.evictionNotBefore > now - 60_000) return 'evicting';
  if (i.health === 'Unhealthy') return 'unhealthy';
  if (doc) return doc.state;
  // No registry to ask: trust the health extension, which probes the agent's /health.
  if (!registryKnown && i.health === 'Healthy') return 'ready';
  return 'starting';
}

export function buildStatus(input: StatusInput): StatusReport {
  const { now } = input;
  const problems: string[] = [];
  const warnings: string[] = [];
  let totalCost: number | null = 0;
  const pools = input.pools.map((p): PoolReport => {
    const instances = p.instances.map((i): InstanceReport => {
      const doc = freshDoc(input.registry, i.name, now);
      return {
        name: i.name,
        state: instanceState(i, doc, input.registry !== null, now),
        priority: i.priority,
        zone: i.zone,
        health: i.health,
        ageSeconds: i.createdAt === null ? null : Math.max(0, Math.round((now - i.createdAt) / 1000)),
        load: doc ? { inFlight: doc.inFlight, queue: doc.queue, tokensPerSecond: doc.tokensPerSecond } : null,
        evictionInSeconds: i.evictionNotBefore === null ? null : Math.max(0, Math.round((i.evictionNotBefore - now) / 1000)),
      };
    });
    const live = p.instances.filter((i) => i.provisioningState.toLowerCase() !== 'deleting');
    const ready = instances.filter((i) => i.state === 'ready').length;
    const spot = live.filter((i) => i.priority === 'Spot').length;
    const regular = live.filter((i) => i.priority === 'Regular').length;
    const zones: Record<string, number> = {};
    for (const i of live) zones[i.zone ?? '-'] = (zones[i.zone ?? '-'] ?? 0) + 1;
    const cost = poolCost(spot, regular, p.pricePerHour);
    if (cost === null) totalCost = null;
    else if (totalCost !== null) totalCost += cost;

    if (p.desired === null) problems.push(`pool ${p.name}: its scale set does not exist (run \`gpuarb up\`)`);
    else if (ready < p.min)
      problems.push(`pool ${p.name}: ${ready} ready instance${ready === 1 ? '' : 's'}, below its minimum of ${p.min}`);
    if (p.desired !== null && live.length < p.desired)
      warnings.push(
        `pool ${p.name}: ${live.length} of ${p.desired} instances exist (Azure is still allocating, or Spot capacity is short)`,
      );
    for (const i of instances) {
      if (i.evictionInSeconds !== null) warnings.push(`instance ${i.name}: Spot eviction notice, ${i.evictionInSeconds} s left`);
      if (i.state === 'unhealthy' || i.state === 'failed') warnings.push(`instance ${i.name}: ${i.state}`);
    }
    return {
      name: p.name,
      model: p.model,
      sku: p.sku,
      desired: p.desired,
      actual: live.length,
      ready,
      min: p.min,
      max: p.max,
      autoscale: p.autoscaleEnabled,
      spot,
      regular,
      zones,
      costPerHour: cost,
      instances,
    };
  });
  if (input.gateway.ready === false) problems.push(`gateway not ready: ${input.gateway.detail}`);
  if (input.registry === null)
    warnings.push('the replica registry could not be read: load is unknown and readiness comes from the health extension');
  return {
    at: new Date(now).toISOString(),
    degraded: problems.length > 0,
    problems,
    warnings,
    pools,
    gateway: input.gateway,
    traffic: input.traffic?.map(trafficReport) ?? null,
    costPerHour: totalCost === null ? null : round(totalCost, 4),
    notes: input.notes,
  };
}

export function poolCost(spot: number, regular: number, price: { spot: number | null; regular: number | null }): number | null {
  if ((spot > 0 && price.spot === null) || (regular > 0 && price.regular === null)) return null;
  return round(spot * (price.spot ?? 0) + regular * (price.regular ?? 0), 4);
}

export function trafficReport(w: TrafficWindow): TrafficReport {
  return {
    minutes: w.minutes,
    requestsPerMinute: round(w.requests / w.minutes, 2),
    errorRate: w.requests ? round(w.errors / w.requests, 4) : null,
    cacheHitRate: w.requests ? round(w.cacheHits / w.requests, 4) : null,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
