import { UpstreamError } from './upstream-error.js';

/**
 * A non-stream agent answer as it arrives. Small answers are complete before anyone asks (headers
 * and body come in one read), so the idle timer exists only while a reader actually waits.
 */
export class WholeBody {
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
