// Injected faults: throttling (429 + Retry-After + x-ms-ratelimit-remaining-*), server errors,
// failed long-running operations, and per-type latency. Rules match by resource type and HTTP
// method and are consumed in order; rates are rolled on the seeded Rng so runs replay.
import { ArmError } from './errors.js';
import type { Rng } from './random.js';
import { profileLatencyMs, type Profile } from './profiles.js';

export interface FaultMatch {
  /** Resource type (case-insensitive); omitted = any. */
  type?: string;
  /** HTTP method; omitted = any. */
  method?: string;
}

export interface ThrottleRule extends FaultMatch {
  count: number;
  retryAfterSeconds?: number;
}
export interface ServerErrorRule extends FaultMatch {
  count: number;
  status?: number;
  code?: string;
  message?: string;
}
export interface FailOperationRule {
  type?: string;
  count: number;
  code?: string;
  message?: string;
}
export interface FaultRates {
  throttle?: number;
  serverError?: number;
}

function matches(rule: FaultMatch, type: string | undefined, method: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method) return false;
  if (rule.type && rule.type.toLowerCase() !== (type ?? '').toLowerCase()) return false;
  return true;
}

export class Faults {
  private throttles: ThrottleRule[] = [];
  private serverErrors: ServerErrorRule[] = [];
  private failedOps: FailOperationRule[] = [];
  private latency = new Map<string, number>();
  private rates: FaultRates = {};
  /** Remaining-requests counters reported in x-ms-ratelimit-remaining-subscription-*. */
  private remaining = { reads: 12000, writes: 1200 };

  constructor(
    private readonly rng: Rng,
    public profile: Profile,
    public latencyScale: number,
  ) {}

  throttle(rule: ThrottleRule): void {
    this.throttles.push({ ...rule });
  }
  serverError(rule: ServerErrorRule): void {
    this.serverErrors.push({ ...rule });
  }
  failOperations(rule: FailOperationRule): void {
    this.failedOps.push({ ...rule });
  }
  setRates(rates: FaultRates): void {
    this.rates = { ...rates };
  }
  /** Provisioning latency for a type in ms (overrides the profile); null clears. */
  setLatency(type: string, ms: number | null): void {
    if (ms === null) this.latency.delete(type.toLowerCase());
    else this.latency.set(type.toLowerCase(), ms);
  }
  reset(): void {
    this.throttles = [];
    this.serverErrors = [];
    this.failedOps = [];
    this.latency.clear();
    this.rates = {};
  }

  rateLimitHeaders(method: string): Record<string, string> {
    const write = method !== 'GET' && method !== 'HEAD';
    // The counters count down and start over, as a fresh ARM window would.
    if (write) this.remaining.writes = Math.max(0, this.remaining.writes - 1) || 1199;
    else this.remaining.reads = Math.max(0, this.remaining.reads - 1) || 11999;
    const left = write ? this.remaining.writes : this.remaining.reads;
    return { [`x-ms-ratelimit-remaining-subscription-${write ? 'writes' : 'reads'}`]: String(left) };
  }

  /** Throws the injected 429/5xx for this request, if any. */
  check(type: string | undefined, method: string): void {
    const t = this.throttles.find((r) => r.count > 0 && matches(r, type, method));
    const throttled = t ?? (this.rates.throttle && this.rng.next() < this.rates.throttle ? { retryAfterSeconds: 1, count: 1 } : undefined);
    if (throttled) {
      if (t) t.count--;
      const write = method !== 'GET';
      throw new ArmError(
        429,
        write ? 'SubscriptionRequestsThrottled' : 'TooManyRequests',
        `Number of '${write ? 'write' : 'read'}' requests for subscription exceeded the limit ` +
          `of '${write ? 1200 : 12000}' for time interval '01:00:00'. Please try again after ` +
          `'${throttled.retryAfterSeconds ?? 1}' seconds.`,
        undefined,
        {
          'retry-after': String(throttled.retryAfterSeconds ?? 1),
          [`x-ms-ratelimit-remaining-subscription-${write ? 'writes' : 'reads'}`]: '0',
        },
      );
    }
    const e = this.serverErrors.find((r) => r.count > 0 && matches(r, type, method));
    const rolled =
      e ?? (this.rates.serverError && this.rng.next() < this.rates.serverError ? ({ count: 1 } as ServerErrorRule) : undefined);
    if (rolled) {
      if (e) e.count--;
      const status = rolled.status ?? 500;
      throw new ArmError(
        status,
        rolled.code ?? (status === 503 ? 'ServiceUnavailable' : 'InternalServerError'),
        rolled.message ??
          'Encountered internal server error. Diagnostic information: timestamp, subscription id, tracking id, request correlation id.',
      );
    }
  }

  /** The error an operation of this type must end with, if one was injected. */
  takeOperationFailure(type: string): ArmError | undefined {
    const r = this.failedOps.find((f) => f.count > 0 && (!f.type || f.type.toLowerCase() === type.toLowerCase()));
    if (!r) return undefined;
    r.count--;
    return new ArmError(500, r.code ?? 'InternalServerError', r.message ?? 'The operation failed (injected by the local cloud).');
  }

  latencyMs(type: string, op: 'put' | 'del'): number {
    const override = this.latency.get(type.toLowerCase());
    const base = override ?? profileLatencyMs(this.profile, this.latencyScale, type, op);
    if (base === 0 || override !== undefined) return base;
    return Math.round(base * (0.8 + 0.4 * this.rng.next())); // ±20% jitter, seeded
  }
}
