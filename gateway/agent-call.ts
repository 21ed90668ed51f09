// One agent call at the level of undici's dispatch handlers: the answer is read whole (no stream
// object at all) unless it is a 200 to a streaming request.
import { Readable } from 'node:stream';
import { failureBeforeAnswer, UpstreamError } from './upstream-error.js';
import { WholeBody } from './whole-body.js';

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

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** One call's undici handler: settles `post` at the answer's headers, then feeds its body. */
export class AgentCall {
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
    else this.reject(failureBeforeAnswer(err, this.opts.signal?.aborted === true)); // before any answer: post() fails
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
