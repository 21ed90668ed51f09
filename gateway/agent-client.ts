// POSTs to a fleet agent through undici's keep-alive pools, at the level of undici's dispatch
// handlers: node:http's client cost about a third more CPU per call here, and undici's own
// request() API (an AsyncResource, a body stream per answer) another 40–60 µs per call, measured
// side by side (bench/RESULTS.md, 2026-11-27). An answer is read whole (no stream object at all)
// unless it is a 200 to a streaming request.
// How each call is handled is in agent-call.ts; how failures are told apart, upstream-error.ts.
import { Agent as Dispatcher } from 'undici';
import { AgentCall, type AgentAnswer, type AgentCallOptions } from './agent-call.js';
import { UpstreamError } from './upstream-error.js';

interface Target {
  origin: string;
  path: string;
}

export class AgentClient {
  private readonly dispatcher: Dispatcher;
  // Parsed agent URLs: a handful of replicas and paths, asked for on every request.
  private readonly targets = new Map<string, Target | undefined>();

  /** @param connectMs a fresh connection must be up within this; once connected the agent owns the clock. */
  constructor(opts: { connectMs: number }) {
    // bodyTimeout 0: silence inside an answer is judged by WholeBody.read and the stream relay (idleMs).
    this.dispatcher = new Dispatcher({ connect: { timeout: opts.connectMs }, keepAliveTimeout: 10_000, bodyTimeout: 0 });
  }

  private target(address: string, path: string): Target | undefined {
    const key = `${address} ${path}`;
    if (this.targets.has(key)) return this.targets.get(key);
    let t: Target | undefined;
    try {
      const url = new URL(path, address.endsWith('/') ? address : `${address}/`);
      t = url.protocol === 'http:' || url.protocol === 'https:' ? { origin: url.origin, path: url.pathname + url.search } : undefined;
    } catch {
      t = undefined;
    }
    if (this.targets.size >= 1024) this.targets.clear(); // replicas come and go; never grow without bound
    this.targets.set(key, t);
    return t;
  }

  /** `headers` are sent as given (content type included): the caller makes a fresh record per call. */
  post(address: string, path: string, body: Buffer, headers: Record<string, string>, opts: AgentCallOptions): Promise<AgentAnswer> {
    const url = this.target(address, path);
    if (!url) return Promise.reject(new UpstreamError('unreachable', `bad agent address ${address}`, true));
    if (opts.signal?.aborted) return Promise.reject(new UpstreamError('aborted', 'request aborted', false));
    return new Promise((resolve, reject) => {
      this.dispatcher.dispatch(
        { origin: url.origin, path: url.path, method: 'POST', headers, body, headersTimeout: opts.firstByteMs },
        new AgentCall(opts, resolve, reject),
      );
    });
  }

  close(): void {
    void this.dispatcher.destroy().catch(() => {});
  }
}
