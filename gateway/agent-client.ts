// POSTs to a fleet agent through undici's keep-alive pools. node:http's client cost about a
// third more CPU per call here (bench/gateway.mjs, --cpu-prof); undici also reports the phase a
// call failed in, which is what tells "never reached the agent" (safe to retry elsewhere) from
// "the agent is working on it" (not safe).
import type { Readable } from 'node:stream';
import { Agent as Dispatcher } from 'undici';

export type UpstreamFailure = 'unreachable' | 'reset' | 'timeout' | 'aborted';

/** A failed agent call. `retryable` is true only when the agent cannot have produced an answer the client saw. */
export class UpstreamError extends Error {
  constructor(readonly kind: UpstreamFailure, message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface AgentAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** What a call needs of an abort signal: a web AbortSignal is one; node-host.ts has a lighter one. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface AgentCallOptions {
  /** Until the answer's headers (or, for a stream, its status line) arrive. */
  firstByteMs: number;
  signal?: CancelSignal;
}

const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

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
    // bodyTimeout 0: silence inside an answer is judged by readAll and the stream relay (idleMs).
    this.dispatcher = new Dispatcher({ connect: { timeout: opts.connectMs }, keepAliveTimeout: 10_000, bodyTimeout: 0 });
  }

  private target(address: string, path: string): Target | undefined {
    const key = address + ' ' + path;
    if (this.targets.has(key)) return this.targets.get(key);
    let t: Target | undefined;
    try {
      const url = new URL(path, address.endsWith('/') ? address : address + '/');
      t = url.protocol === 'http:' || url.protocol === 'https:' ? { origin: url.origin, path: url.pathname + url.search } : undefined;
    } catch {
      t = undefined;
    }
    if (this.targets.size >= 1024) this.targets.clear(); // replicas come and go; never grow without bound
    this.targets.set(key, t);
    return t;
  }

  async post(address: string, path: string, body: Buffer, headers: Record<string, string>, opts: AgentCallOptions): Promise<AgentAnswer> {
    const url = this.target(address, path);
    if (!url) throw new UpstreamError('unreachable', `bad agent address ${address}`, true);
    if (opts.signal?.aborted) throw new UpstreamError('aborted', 'request aborted', false);
    try {
      const res = await this.dispatcher.request({
        origin: url.origin,
        path: url.path,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        headersTimeout: opts.firstByteMs,
        signal: opts.signal as Parameters<Dispatcher['request']>[0]['signal'],
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      throw classify(err as NodeJS.ErrnoException, opts.signal);
    }
  }

  close(): void {
    void this.dispatcher.destroy().catch(() => {});
  }
}

/** Every failure here happened before any answer byte reached the gateway. */
function classify(err: NodeJS.ErrnoException, signal: CancelSignal | undefined): UpstreamError {
  const code = err.code ?? '';
  if (signal?.aborted || code === 'UND_ERR_ABORTED') return new UpstreamError('aborted', 'request aborted', false);
  // The agent took the request and has not answered: it may still be working on it.
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new UpstreamError('timeout', 'agent sent nothing in time', false);
  if (REFUSED.has(code)) return new UpstreamError('unreachable', `${code}: ${err.message}`, true);
  // A reset before any answer byte (typically a keep-alive connection the agent had just closed)
  // means the agent produced nothing: as safe to retry as a refused connection.
  return new UpstreamError('reset', `${code || err.name}: ${err.message}`, true);
}

/** Reads a whole answer, failing as `reset` if the agent breaks off or goes silent for idleMs. */
export function readAll(res: Readable, idleMs: number, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer = setTimeout(onIdle, idleMs);
    function onIdle() {
      res.destroy();
      reject(new UpstreamError('timeout', `agent silent for ${idleMs} ms mid-answer`, false));
    }
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        res.destroy();
        reject(new UpstreamError('reset', 'agent answer too large', false));
        return;
      }
      chunks.push(c);
      timer.refresh();
    });
    res.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    res.on('error', (e) => {
      clearTimeout(timer);
      reject(new UpstreamError('reset', `agent answer broke: ${e.message}`, true));
    });
  });
}

/** Throws away an answer we will not use, keeping the keep-alive socket reusable. */
export function discard(res: Readable): void {
  res.on('error', () => {});
  res.resume();
}
