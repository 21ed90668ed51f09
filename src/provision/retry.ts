// Step-level retry on top of the SDK pipeline's own (which already retries 429/5xx with
// Retry-After): this one covers what the pipeline cannot — a long-running operation that ended
// Failed with a transient code, and a pipeline that ran out of attempts — with exponential
// backoff, full jitter, a cap, and an abort signal.
import { AzureError } from '../core/errors.js';
import { armRetryClass, isTransientNetworkError } from '../azure/arm-errors.js';
import { sleep } from '../azure/lro.js';

/** A step is retried unless the catalogue calls its code permanent; otherwise the status decides. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof AzureError) {
    const retry = armRetryClass(e.code);
    if (retry) return retry === 'transient';
    if (e.status === undefined) return true; // a failed long-running operation
    return e.status === 408 || e.status === 409 || e.status === 429 || e.status >= 500;
  }
  return isTransientNetworkError(e);
}

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 1000, capMs: 30_000 };

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  random = Math.random,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (signal?.aborted || attempt >= policy.attempts || !isRetryable(e)) throw e;
      const retryAfter = (e as { retryAfterMs?: number }).retryAfterMs;
      const backoff = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
      await sleep(retryAfter ?? Math.round(backoff / 2 + random() * (backoff / 2)), signal);
    }
  }
}
