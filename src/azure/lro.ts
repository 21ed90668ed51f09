// ARM long-running operations, per the ARM async-operation contract: after a 201/202 follow
// Azure-AsyncOperation (status document) or Location (202 until done), honouring Retry-After,
// until a terminal state; a PUT whose body reports a non-terminal provisioningState is polled
// by GETting the resource. Failures carry the operation's own ARM error code (e.g.
// AllocationFailed) so the hint table applies.
import { systemClock } from '../../lib/clock.js';

/** An ARM error as its body carries it. */
interface ArmErrorBody {
  code?: string;
  message?: string;
}

/** The fields of an ARM response body this client reads: operation status, errors, list pages. */
export interface ArmBody {
  status?: string;
  error?: ArmErrorBody;
  properties?: { provisioningState?: string; error?: ArmErrorBody };
  value?: unknown[];
  nextLink?: string;
}

export interface RawResponse {
  status: number;
  headers: { get(name: string): string | undefined };
  body: ArmBody | undefined;
  bodyText: string;
}

export type Send = (method: string, url: string, body?: unknown) => Promise<RawResponse>;

export class LroFailedError extends Error {
  constructor(
    readonly armCode: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'LroFailedError';
  }
}

const TERMINAL_OK = new Set(['succeeded']);
const TERMINAL_BAD = new Set(['failed', 'canceled', 'cancelled']);

export interface PollOptions {
  intervalMs: number;
  signal?: AbortSignal;
  /** Upper bound for one wait, whatever Retry-After says. */
  maxDelayMs?: number;
}

function delayFor(res: RawResponse, opts: PollOptions): number {
  const ra = res.headers.get('retry-after');
  const seconds = ra !== undefined && /^\d+$/.test(ra) ? Number(ra) * 1000 : undefined;
  return Math.min(seconds ?? opts.intervalMs, opts.maxDelayMs ?? 60_000);
}

/** The one abortable sleep (lib/clock.ts). */
export const sleep = systemClock.sleep;

function failure(body: ArmBody | undefined, res: RawResponse): LroFailedError {
  const err = body?.error ?? body?.properties?.error ?? {};
  return new LroFailedError(
    err.code ?? 'OperationFailed',
    err.message ?? `operation ended ${body?.status ?? body?.properties?.provisioningState}`,
    res.headers.get('x-ms-request-id'),
  );
}

/**
 * Polls the operation started by `initial` (the response of PUT/DELETE/POST on `resourceUrl`).
 * Returns the final resource body for PUT, undefined otherwise.
 */
export async function pollToCompletion(
  send: Send,
  method: string,
  resourceUrl: string,
  initial: RawResponse,
  opts: PollOptions,
): Promise<ArmBody | undefined> {
  const asyncUrl = initial.headers.get('azure-asyncoperation');
  const locationUrl = initial.headers.get('location');
  const state = String(initial.body?.properties?.provisioningState ?? '').toLowerCase();
  const needsPoll =
    initial.status === 202 || (initial.status === 201 && !!asyncUrl) || (method === 'PUT' && state !== '' && !TERMINAL_OK.has(state));
  if (!needsPoll) {
    if (TERMINAL_BAD.has(state)) throw failure(initial.body, initial);
    return initial.body;
  }
  let last = initial;
  if (asyncUrl) {
    for (;;) {
      await sleep(delayFor(last, opts), opts.signal);
      last = await send('GET', asyncUrl);
      const s = String(last.body?.status ?? '').toLowerCase();
      if (TERMINAL_BAD.has(s)) throw failure(last.body, last);
      if (TERMINAL_OK.has(s)) break;
    }
  } else if (locationUrl && initial.status === 202) {
    for (;;) {
      await sleep(delayFor(last, opts), opts.signal);
      last = await send('GET', locationUrl);
      if (last.status !== 202) break;
    }
    if (method !== 'PUT') return last.body;
  } else {
    // A PUT answered 200/201 with a non-terminal provisioningState and no operation header.
    for (;;) {
      await sleep(delayFor(last, opts), opts.signal);
      last = await send('GET', resourceUrl);
      const s = String(last.body?.properties?.provisioningState ?? 'succeeded').toLowerCase();
      if (TERMINAL_BAD.has(s)) throw failure(last.body, last);
      if (TERMINAL_OK.has(s)) return last.body;
    }
  }
  if (method !== 'PUT') return undefined;
  const final = await send('GET', resourceUrl);
  const s = String(final.body?.properties?.provisioningState ?? 'succeeded').toLowerCase();
  if (TERMINAL_BAD.has(s)) throw failure(final.body, final);
  return final.body;
}
