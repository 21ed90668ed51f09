// A fixed set of context sequences handed out one per request, with a bounded FIFO queue for the
// rest. A full queue answers 503 at once: the gateway has other replicas to try.
import { EngineRequestError } from '../engine.js';

export class SequencePool<T> {
  private readonly free: T[];
  private readonly queue: { grant: (item: T) => void; refuse: (e: unknown) => void }[] = [];
  private closed = false;

  constructor(
    private readonly items: T[],
    private readonly maxQueue: number,
  ) {
    this.free = [...items];
  }

  get busy(): number {
    return this.items.length - this.free.length;
  }
  get waiting(): number {
    return this.queue.length;
  }

  acquire(signal: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new EngineRequestError(503, 'engine stopped', null, 'engine_stopped', 1));
    if (signal.aborted) return Promise.reject(signal.reason);
    const item = this.free.pop();
    if (item !== undefined) return Promise.resolve(item);
    if (this.queue.length >= this.maxQueue)
      return Promise.reject(new EngineRequestError(503, 'the replica queue is full', null, 'engine_overloaded', 1));
    return new Promise((resolve, reject) => {
      const entry = {
        grant: (it: T) => {
          signal.removeEventListener('abort', onAbort);
          resolve(it);
        },
        refuse: (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        this.queue.splice(this.queue.indexOf(entry), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  release(item: T): void {
    const next = this.queue.shift();
    if (next) next.grant(item);
    else this.free.push(item);
  }

  close(): void {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.refuse(new EngineRequestError(503, 'engine stopped', null, 'engine_stopped', 1));
  }
}
