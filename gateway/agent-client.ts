// POSTs to a fleet agent through undici's keep-alive pools, at the level of undici's dispatch
// handlers: node:http's client cost about a third more CPU per call here, and undici's own
// request() API (an AsyncResource, a body stream per answer) another 40–60 µs per call, measured
// side by side (bench/RESULTS.md, 2026-11-27). An answer is read whole (no stream object at all)
// unless it is a 200 to a streaming request.
// undici also reports the phase a call failed in, which is what tells "never reached the agent"
// (safe to retry elsewhere) from "the agent is working on it" (not safe).
import { Readable } from 'node:stream';
import { Agent as Dispatcher } from 'undici';

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

export interface AgentAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AnswerBody;
  /** Throws away an answer we will not use (the keep-alive connection stays reusable). */
  discard(): void;
}

/** A 200 to a streaming request arrives as a stream; every other answer is read whole. */
export type AnswerBody = { kind: 'stream'; res: Readable } | { kind: 'whole'; read(idleMs: number): Promise<Buffer> };

/** What a call needs of an abort signal: a web AbortSignal is one; node-host.ts has a lighter one. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface AgentCallOptions {
  /** Until the answer's headers (or, for a stream, its status line) arrive. */
  firstByteMs: number;
  /** The client asked for a stream: a 200 answer is then relayed as it arrives. */
  stream?: boolean;
  signal?: CancelSignal;
  /** Largest answer read whole (default 64 MiB). */
  maxBytes?: number;
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

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** One call's undici handler: settles `post` at the answer's headers, then feeds its body. */
class AgentCall {
  private abortCall: ((err: Error) => void) | undefined;
  private done = false;
  private stream: Readable | undefined;
  private whole: WholeBody | undefined;

  constructor(
    private readonly opts: AgentCallOptions,
    private readonly resolve: (a: AgentAnswer) => void,
    private readonly reject: (e: UpstreamError) => void,
  ) {
    opts.signal?.addEventListener('abort', this.onAbort);
  }

  private readonly onAbort = () => this.abort(new Error('request aborted'));

  private abort(err: Error): void {
    if (!this.done) this.abortCall?.(err);
  }

  onConnect(abort: (err: Error) => void): void {
    this.abortCall = abort;
    if (this.opts.signal?.aborted) abort(new Error('request aborted'));
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (status < 200) return true; // 1xx: the answer is still to come
    let body: AnswerBody;
    if (this.opts.stream && status === 200) {
      const res = new Readable({
        read: () => resume(),
        destroy: (err, cb) => {
          this.abort(err ?? new Error('stream closed by the gateway'));
          cb(err);
        },
      });
      this.stream = res;
      body = { kind: 'stream', res };
    } else {
      const whole = new WholeBody(this.opts.maxBytes ?? DEFAULT_MAX_BYTES, (err) => this.abort(err));
      this.whole = whole;
      body = { kind: 'whole', read: (idleMs) => whole.read(idleMs) };
    }
    this.resolve({ status, headers: headerRecord(raw), body, discard: () => this.discard() });
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.stream) return this.stream.push(chunk);
    this.whole?.push(chunk);
    return true;
  }

  onComplete(): void {
    this.finish();
    this.stream?.push(null);
    this.whole?.end();
  }

  onError(err: Error & { code?: string }): void {
    this.finish();
    if (this.stream) this.stream.destroy(err);
    else if (this.whole) this.whole.fail(new UpstreamError('reset', `agent answer broke: ${err.message}`, true));
    else this.reject(classify(err, this.opts.signal)); // before any answer: post() fails
  }

  private finish(): void {
    this.done = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  private discard(): void {
    if (this.stream) {
      this.stream.on('error', () => {});
      this.stream.resume();
    } else this.whole?.drop();
  }
}

/**
 * A non-stream answer as it arrives. Small answers are complete before anyone asks (headers and
 * body come in one read), so the idle timer exists only while a reader actually waits.
 */
class WholeBody {
  private chunks: Buffer[] = [];
  private size = 0;
  private complete = false;
  private dropped = false;
  private failure: UpstreamError | undefined;
  private waiter: { resolve(b: Buffer): void; reject(e: UpstreamError): void; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly abort: (err: Error) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.dropped || this.failure) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      const err = new UpstreamError('reset', 'agent answer too large', false);
      this.fail(err);
      this.abort(err);
      return;
    }
    this.chunks.push(chunk);
    this.waiter?.timer.refresh();
  }

  end(): void {
    this.complete = true;
    const w = this.waiter;
    if (w && !this.failure) {
      this.waiter = undefined;
      clearTimeout(w.timer);
      w.resolve(this.bytes());
    }
  }

  fail(err: UpstreamError): void {
    if (this.failure || this.complete) return;
    this.failure = err;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  drop(): void {
    this.dropped = true;
    this.chunks = [];
  }

  /** The whole answer; fails as `timeout` if the agent goes silent for idleMs mid-answer. */
  read(idleMs: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.complete) return Promise.resolve(this.bytes());
    if (this.waiter) return Promise.reject(new Error('answer already being read'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new UpstreamError('timeout', `agent silent for ${idleMs} ms mid-answer`, false);
        this.fail(err);
        this.abort(err);
      }, idleMs);
      this.waiter = { resolve, reject, timer };
    });
  }

  private bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
  }
}

/** undici's raw header list as node's header object: lower-case names, repeats as arrays. */
function headerRecord(raw: Buffer[]): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = Object.create(null);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString('latin1').toLowerCase();
    const value = raw[i + 1].toString('utf8');
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
