// Which failures a long-running loop (a log tail, a wait) rides out: throttling, server errors,
// timeouts and dropped connections. Anything else (a bad query, 401/403, 404) stops it.
export function isTransient(e: unknown): boolean {
  const x = e as { statusCode?: number; status?: number; code?: string | number; name?: string };
  const status = x?.statusCode ?? x?.status;
  if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
  return (
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET'].includes(String(x?.code)) ||
    x?.name === 'TimeoutError'
  );
}
