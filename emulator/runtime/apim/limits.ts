// rate-limit and quota counters per subscription, as API Management Consumption keeps them:
// a call over the rate limit gets 429 with Retry-After; over the quota, 403 until renewal.
import type { PolicyStep } from './policy.js';

export type LimitVerdict =
  | { ok: true }
  | {
      ok: false;
      status: 429 | 403;
      /** API Management's predefined error for it (context.LastError.Reason in on-error). */
      reason: 'RateLimitExceeded' | 'QuotaExceeded';
      retryAfterSeconds: number;
      /** rate-limit's retry-after-variable-name: the policy variable the retry interval is stored in. */
      retryAfterVariable?: string;
      message: string;
    };

interface Window {
  start: number;
  count: number;
}

export class LimitCounters {
  private readonly windows = new Map<string, Window>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one call against each limit step in order; the first exceeded limit wins. */
  check(subscriptionId: string, steps: PolicyStep[]): LimitVerdict {
    const t = this.now();
    const hits: Window[] = [];
    for (const [i, step] of steps.entries()) {
      if (step.kind !== 'rate-limit' && step.kind !== 'quota') continue;
      const key = `${subscriptionId}|${i}|${step.kind}|${step.calls}|${step.renewalPeriod}`;
      const periodMs = step.renewalPeriod * 1000;
      let w = this.windows.get(key);
      if (!w || t - w.start >= periodMs) {
        w = { start: t, count: 0 };
        this.windows.set(key, w);
      }
      if (w.count >= step.calls) {
        const retry = Math.max(1, Math.ceil((w.start + periodMs - t) / 1000));
        return step.kind === 'rate-limit'
          ? {
              ok: false,
              status: 429,
              reason: 'RateLimitExceeded',
              retryAfterSeconds: retry,
              retryAfterVariable: step.kind === 'rate-limit' ? step.retryAfterVariable : undefined,
              message: `Rate limit is exceeded. Try again in ${retry} seconds.`,
            }
          : {
              ok: false,
              status: 403,
              reason: 'QuotaExceeded',
              retryAfterSeconds: retry,
              message: `Out of call volume quota. Quota will be replenished in ${formatHms(retry)}.`,
            };
      }
      hits.push(w);
    }
    // Count only when every limit admits the call, as a rejected call does not use quota.
    for (const w of hits) w.count += 1;
    return { ok: true };
  }
}

function formatHms(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
}
