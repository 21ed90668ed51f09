// How an agent call failed, and whether another replica may be tried: undici reports the phase a
// call failed in, which is what tells "never reached the agent" (safe to retry elsewhere) from
// "the agent is working on it" (not safe).

export type UpstreamFailure = 'unreachable' | 'reset' | 'timeout' | 'aborted';

/** A failed agent call. `retryable` is true only when the agent cannot have produced an answer the client saw. */
export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailure,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** A call that failed before any answer byte reached the gateway. */
export function failureBeforeAnswer(err: NodeJS.ErrnoException, aborted: boolean): UpstreamError {
  const code = err.code ?? '';
  if (aborted || code === 'UND_ERR_ABORTED') return new UpstreamError('aborted', 'request aborted', false);
  // The agent took the request and has not answered: it may still be working on it.
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new UpstreamError('timeout', 'agent sent nothing in time', false);
  if (REFUSED.has(code)) return new UpstreamError('unreachable', `${code}: ${err.message}`, true);
  // A reset before any answer byte (typically a keep-alive connection the agent had just closed)
  // means the agent produced nothing: as safe to retry as a refused connection.
  return new UpstreamError('reset', `${code || err.name}: ${err.message}`, true);
}
