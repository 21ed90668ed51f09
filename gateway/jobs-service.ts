// The async jobs API: POST /v1/jobs queues a chat completion, GET /v1/jobs/{id} reports it.
// The worker (jobs-worker.ts) runs queued jobs through the same routing as live requests.
import { randomUUID } from 'node:crypto';
import type { QueueClient } from '@azure/storage-queue';
import { jsonAnswer, type Answer } from './answer.js';
import { GatewayError } from './errors.js';
import type { JobDoc } from '../contracts/documents.js';
import type { JobsStore } from './jobs-store.js';

export interface JobsOptions {
  resultTtlSeconds: number;
}

/** Queue messages are base64 JSON: what an Azure Functions queue trigger expects by default. */
function encodeJobMessage(id: string): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64');
}

export function decodeJobMessage(text: string): string | undefined {
  for (const candidate of [text, Buffer.from(text, 'base64').toString('utf8')]) {
    try {
      const v = JSON.parse(candidate) as { id?: unknown };
      if (typeof v.id === 'string') return v.id;
    } catch {
      /* try the other encoding */
    }
  }
  return undefined;
}

export class JobsService {
  constructor(
    readonly store: JobsStore,
    readonly queue: QueueClient,
    private readonly opts: JobsOptions,
  ) {}

  async submit(customer: string, request: Record<string, unknown>): Promise<Answer> {
    const now = Date.now();
    const doc: JobDoc = {
      id: `job_${randomUUID().replace(/-/g, '')}`,
      customer,
      status: 'queued',
      request: { ...request, stream: false },
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      expiresAt: now + this.opts.resultTtlSeconds * 1000,
      ttl: this.opts.resultTtlSeconds,
    };
    await this.store.create(doc);
    try {
      await this.queue.sendMessage(encodeJobMessage(doc.id));
    } catch (err) {
      await this.store.delete(doc.id);
      throw new GatewayError({
        status: 503,
        type: 'server_error',
        code: 'queue_unavailable',
        message: `could not queue the job: ${(err as Error).message}`,
      });
    }
    return jsonAnswer(202, view(doc), { location: `/v1/jobs/${doc.id}` });
  }

  async status(customer: string, id: string): Promise<Answer> {
    const doc = /^job_[0-9a-f]{32}$/.test(id) ? await this.store.get(id) : undefined;
    // Another customer's job is reported as missing, not forbidden: ids are not to be probed.
    if (!doc || doc.customer !== customer) throw notFound(id, 'job_not_found', `no job ${id}`);
    if (doc.expiresAt <= Date.now()) throw notFound(id, 'job_expired', `job ${id} has expired`);
    return jsonAnswer(200, view(doc));
  }
}

function view(doc: JobDoc): Record<string, unknown> {
  return {
    id: doc.id,
    object: 'job',
    status: doc.status,
    attempts: doc.attempts,
    created_at: Math.floor(doc.createdAt / 1000),
    updated_at: Math.floor(doc.updatedAt / 1000),
    expires_at: Math.floor(doc.expiresAt / 1000),
    model: doc.servedBy ?? doc.request.model,
    ...(doc.status === 'succeeded' ? { result: doc.result } : {}),
    ...(doc.status === 'failed' ? { error: doc.error } : {}),
  };
}

function notFound(id: string, code: string, message: string): GatewayError {
  return new GatewayError({ status: 404, type: 'not_found_error', code, param: id, message });
}
