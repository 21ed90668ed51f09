// The control API: faults, latency, quota, capacity and evictions, driven from tests (library)
// or over HTTPS (`POST /_emulator/control/<method>` with the method's one argument as JSON body,
// `GET /_emulator/info`). Compute-specific knobs delegate to the compute family's service.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmError } from './errors.js';
import type { EmulatorCore } from './emulator-core.js';
import type { FailOperationRule, FaultRates, ServerErrorRule, ThrottleRule } from './faults.js';
import type { Profile } from './profiles.js';
import { readJson, send } from './http.js';

export interface EvictOptions {
  noticeSeconds?: number;
}
export interface EvictionSchedule {
  vmId: string /** epoch ms when the notice is published */;
  at: number;
  noticeSeconds?: number;
}

/** What the compute family offers the control API (registered as the 'compute' service by emulator/providers/compute.ts). */
export interface ComputeControl {
  setQuota(location: string, family: string, limit: number): void;
  setSpotCapacity(location: string, sku: string, zone: string | null, instances: number): void;
  setSkuAvailability(location: string, sku: string, zones: string[] | null): void;
  /** Publishes a Preempt notice; `done` resolves when the VM has been evicted. */
  evict(vmId: string, opts?: EvictOptions): Promise<{ eventId: string; done: Promise<void> }>;
  scheduleEviction(s: EvictionSchedule): void;
}

export interface EmulatorControl extends ComputeControl {
  throttle(rule: ThrottleRule): void;
  serverError(rule: ServerErrorRule): void;
  failOperations(rule: FailOperationRule): void;
  setFaultRates(rates: FaultRates): void;
  /** Provisioning latency for a type in ms; null restores the profile's value. */
  setLatency(type: string, ms: number | null): void;
  setProfile(profile: Profile, latencyScale?: number): void;
  setPageSize(n: number): void;
  resetFaults(): void;
}

export function createControl(core: EmulatorCore): EmulatorControl {
  const compute = (): ComputeControl => core.service<ComputeControl>('compute');
  return {
    throttle: (r) => core.faults.throttle(r),
    serverError: (r) => core.faults.serverError(r),
    failOperations: (r) => core.faults.failOperations(r),
    setFaultRates: (r) => core.faults.setRates(r),
    setLatency: (t, ms) => core.faults.setLatency(t, ms),
    setProfile: (p, scale) => {
      core.faults.profile = p;
      if (scale !== undefined) core.faults.latencyScale = scale;
    },
    setPageSize: (n) => {
      core.pageSize = Math.max(1, n);
    },
    resetFaults: () => core.faults.reset(),
    setQuota: (l, f, n) => compute().setQuota(l, f, n),
    setSpotCapacity: (l, s, z, n) => compute().setSpotCapacity(l, s, z, n),
    setSkuAvailability: (l, s, z) => compute().setSkuAvailability(l, s, z),
    evict: (id, o) => compute().evict(id, o),
    scheduleEviction: (s) => compute().scheduleEviction(s),
  };
}

/** Positional arguments of each control method, so the REST body can be one object. */
const ARGS: Record<string, string[]> = {
  throttle: ['rule'],
  serverError: ['rule'],
  failOperations: ['rule'],
  setFaultRates: ['rates'],
  setLatency: ['type', 'ms'],
  setProfile: ['profile', 'latencyScale'],
  setPageSize: ['n'],
  resetFaults: [],
  setQuota: ['location', 'family', 'limit'],
  setSpotCapacity: ['location', 'sku', 'zone', 'instances'],
  setSkuAvailability: ['location', 'sku', 'zones'],
  evict: ['vmId', 'options'],
  scheduleEviction: ['schedule'],
};

export function createControlHandler(control: EmulatorControl, info: () => unknown) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (url.pathname === '/_emulator/info' && req.method === 'GET') return send(res, 200, info());
    const m = /^\/_emulator\/control\/(\w+)$/.exec(url.pathname);
    const names = m ? ARGS[m[1]] : undefined;
    if (!m || !names || req.method !== 'POST')
      throw new ArmError(404, 'NotFound', `Unknown control call ${req.method} ${url.pathname}. Methods: ${Object.keys(ARGS).join(', ')}.`);
    const body = await readJson(req);
    // A single-object argument may be sent bare; several arguments are sent by name.
    const args = names.length === 1 && !(names[0] in body) ? [body] : names.map((n) => body[n]);
    // ARGS names only EmulatorControl's methods, so m[1] is one of them.
    const method = (control as unknown as Record<string, (...a: unknown[]) => unknown>)[m[1]];
    const result = await method(...args);
    const { done: _done, ...plain } = (result ?? {}) as Record<string, unknown>;
    send(res, 200, plain);
  };
}
