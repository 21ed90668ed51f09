// The documents the gateway keeps in Cosmos (containers in cosmos-containers.ts) and the CLI
// reads back: usage counters, cached answers and async jobs.

/** What a usage document counts. Writers only ever increment these (Cosmos patch `incr`). */
export interface UsageCounts {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cacheHits: number;
  errors: number;
}

export const USAGE_COUNT_FIELDS = ['requests', 'promptTokens', 'completionTokens', 'cacheHits', 'errors'] as const;

/** The counters of one customer for one model on one UTC day: what `gpuarb usage` sums. */
export interface UsageCounter extends UsageCounts {
  /** The partition key. */
  customer: string;
  model: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
}

/** A usage document as stored: one per customer, model and UTC day. */
export interface UsageDoc extends UsageCounter {
  /** usageDocId(customer, model, day). */
  id: string;
  /** Epoch milliseconds of the last write. */
  updatedAt: number;
}

export function usageDocId(customer: string, model: string, day: string): string {
  // Cosmos ids may not contain / \ ? #: encode the parts (encodeURIComponent escapes all four).
  return `${encodeURIComponent(customer)}:${encodeURIComponent(model)}:${day}`;
}

/** A cached chat.completion answer: one per cache key, immutable until it expires. */
export interface CacheDoc {
  /** The cache key; the partition key. */
  id: string;
  model: string;
  customer: string | null;
  /** The exact chat.completion JSON that was served. */
  body: string;
  promptTokens: number;
  completionTokens: number;
  createdAt: number;
  /** Epoch milliseconds; readers enforce it (the local Cosmos server never deletes items). */
  expiresAt: number;
  /** Cosmos TTL in seconds, for Azure. */
  ttl: number;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** An async job: one per job, moved forward only by ETag-guarded replaces. */
export interface JobDoc {
  /** The job id; the partition key. */
  id: string;
  customer: string;
  status: JobStatus;
  request: Record<string, unknown>;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  /** A running job belongs to `worker` until then; after it, another worker may take over. */
  leaseUntil?: number;
  worker?: string;
  result?: unknown;
  servedBy?: string;
  error?: { message: string; code: string };
  lastError?: string;
  expiresAt: number;
  ttl: number;
  _etag?: string;
}
