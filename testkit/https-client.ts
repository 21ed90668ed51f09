// A tiny HTTPS client for end-to-end tests that trusts the local cloud's CA (Node's fetch has no
// per-request CA option), with keep-alive so steady-load loops do not exhaust ports.
import { Agent, request } from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpsClient(ca: string) {
  const agent = new Agent({ ca, keepAlive: true, maxSockets: 16 });
  const send = (
    url: string,
    opts: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
  ): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const req = request(
        url,
        {
          method: opts.method ?? (data ? 'POST' : 'GET'),
          agent,
          headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...opts.headers },
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 30_000} ms: ${url}`)));
      req.on('error', reject);
      req.end(data);
    });
  return { send, close: () => agent.destroy() };
}

/** Sends requests from `workers` loops until stopped; counts answers by status. */
export function steadyLoad(send: () => Promise<HttpAnswer>, workers: number) {
  const counts = new Map<string, number>();
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const key = await send().then(
        (r) => String(r.status),
        (e: Error) => `error: ${e.message}`,
      );
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  });
  return {
    counts,
    ok: () => counts.get('200') ?? 0,
    failed: () => [...counts].filter(([k]) => k !== '200').reduce((n, [, v]) => n + v, 0),
    async stop() {
      running = false;
      await Promise.all(loops);
      return Object.fromEntries(counts);
    },
  };
}
