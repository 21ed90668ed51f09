// Takes jobs off the Azure Storage queue and runs them. The message stays invisible while a
// worker holds it (visibility timeout, renewed with the Cosmos lease); a worker that dies
// simply stops renewing, the message reappears, and the next worker takes over the job once
// its lease has run out. Claim, renewal and completion are ETag-guarded (jobs-store.ts).
import { randomUUID } from 'node:crypto';
import type { QueueClient } from '@azure/storage-queue';
import type { Logger } from './log.js';
import { decodeJobMessage } from './jobs-service.js';
import type { JobDoc } from '../contracts/documents.js';
import { StaleJobError, type JobsStore } from './jobs-store.js';

export interface JobRunResult {
  status: number;
  body: unknown;
  servedBy?: string;
}

export interface JobsWorkerOptions {
  concurrency: number;
  maxAttempts: number;
  visibilityTimeoutSeconds: number;
  resultTtlSeconds: number;
  pollIntervalMs: number;
}

/** Statuses worth another attempt: capacity and transient trouble, not a bad request. */
const RETRYABLE = (status: number) => status === 429 || status >= 500;

export class JobsWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  private running = false;
  private active = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly queue: QueueClient,
    private readonly store: JobsStore,
    private readonly run: (job: JobDoc) => Promise<JobRunResult>,
    private readonly opts: JobsWorkerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.poll();
  }

  /** Stops taking messages and waits (bounded) for the jobs in hand. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.active]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const free = this.opts.concurrency - this.active.size;
      let got = 0;
      if (free > 0) {
        try {
          const { receivedMessageItems } = await this.queue.receiveMessages({
            numberOfMessages: Math.min(free, 32),
            visibilityTimeout: this.opts.visibilityTimeoutSeconds,
          });
          got = receivedMessageItems.length;
          for (const m of receivedMessageItems) {
            const p = this.handle(m.messageId, m.popReceipt, m.messageText).catch((err) => this.log.error('job handling failed', { err }));
            this.active.add(p);
            void p.finally(() => {
              this.active.delete(p);
              this.wake?.();
            });
          }
        } catch (err) {
          this.log.warn('jobs queue receive failed', { err });
        }
      }
      if (got === 0 || this.active.size >= this.opts.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.opts.pollIntervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  /** Processes one delivery of a job message. Public for the Azure Functions queue trigger. */
  async handle(messageId: string, popReceipt: string, text: string): Promise<void> {
    let receipt = popReceipt;
    const ack = () => this.queue.deleteMessage(messageId, receipt).catch(() => {});
    const id = decodeJobMessage(text);
    const found = id ? await this.store.get(id) : undefined;
    if (!found || found.status === 'succeeded' || found.status === 'failed') return void (await ack());
    // Typed as present, so the lease renewal below (a closure) sees it as the compiler does here.
    let doc: JobDoc = found;
    const now = Date.now();
    if (doc.status === 'running' && (doc.leaseUntil ?? 0) > now) return; // someone holds it; the message comes back later
    const log = this.log.child({ job: doc.id, worker: this.id });
    try {
      if (doc.attempts >= this.opts.maxAttempts) {
        await this.finish(doc, {
          status: 'failed',
          error: { code: 'attempts_exhausted', message: `gave up after ${doc.attempts} attempts: ${doc.lastError ?? 'worker lost'}` },
        });
        return void (await ack());
      }
      const leaseMs = this.opts.visibilityTimeoutSeconds * 1000;
      doc = await this.store.replaceIfUnchanged(doc, {
        status: 'running',
        attempts: doc.attempts + 1,
        leaseUntil: now + leaseMs,
        worker: this.id,
      });
      log.info('job claimed', { attempt: doc.attempts });
      // Renew lease and invisibility at half the timeout, while the job runs.
      let lost = false;
      // Renewals are chained so none is still in flight when the outcome is written.
      let renewing = Promise.resolve();
      const renew = setInterval(() => {
        renewing = renewing.then(async () => {
          if (lost) return;
          try {
            doc = await this.store.replaceIfUnchanged(doc, { leaseUntil: Date.now() + leaseMs });
            const r = await this.queue.updateMessage(messageId, receipt, undefined, this.opts.visibilityTimeoutSeconds);
            receipt = r.popReceipt ?? receipt;
          } catch (err) {
            if (err instanceof StaleJobError) lost = true;
          }
        });
      }, leaseMs / 2);
      let result: JobRunResult;
      try {
        result = await this.run(doc);
      } catch (err) {
        result = { status: 500, body: { error: { message: (err as Error).message } } };
      } finally {
        clearInterval(renew);
        await renewing;
      }
      if (lost) return log.warn('job lease lost while running; the result is discarded');
      if (result.status >= 200 && result.status < 300) {
        await this.finish(doc, { status: 'succeeded', result: result.body, servedBy: result.servedBy });
        log.info('job succeeded', { attempt: doc.attempts });
        return void (await ack());
      }
      const reason = errorMessage(result.body) ?? `status ${result.status}`;
      if (RETRYABLE(result.status) && doc.attempts < this.opts.maxAttempts) {
        await this.store.replaceIfUnchanged(doc, { status: 'queued', leaseUntil: undefined, lastError: reason });
        // Back off before the next attempt: the message reappears after 2^attempts seconds
        // (at most the visibility timeout).
        await this.queue
          .updateMessage(messageId, receipt, undefined, Math.min(2 ** doc.attempts, this.opts.visibilityTimeoutSeconds))
          .catch(() => {});
        log.warn('job attempt failed; will retry', { attempt: doc.attempts, reason });
        return;
      }
      await this.finish(doc, { status: 'failed', error: { code: `status_${result.status}`, message: reason } });
      log.warn('job failed', { attempt: doc.attempts, reason });
      await ack();
    } catch (err) {
      if (err instanceof StaleJobError) return log.info('job taken over by another worker');
      throw err;
    }
  }

  private finish(doc: JobDoc, changes: Partial<JobDoc>): Promise<JobDoc> {
    const ttl = this.opts.resultTtlSeconds;
    return this.store.replaceIfUnchanged(doc, { ...changes, leaseUntil: undefined, expiresAt: Date.now() + ttl * 1000, ttl });
  }
}

function errorMessage(body: unknown): string | undefined {
  const m = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof m === 'string' ? m : undefined;
}
