// Shapes shared by the load generator's parts: what is sent, what came back, and the plan.

/** An OpenAI chat completion request body, as sent (model always set). */
export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
  max_tokens?: number;
  temperature?: number;
  stream?: boolean;
  [field: string]: unknown;
}

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/** Error classes, as counted in the report. */
export type ErrorClass = 'timeout' | 'connection' | 'http4xx' | 'http5xx' | 'streamBroken' | 'badResponse';

/** One request's fate. Times are ms from the start of the run, on a monotonic clock. */
export interface Outcome {
  model: string;
  /** When the schedule said to send it (open loop) or when it was sent (closed loop). */
  scheduledAt: number;
  /** When it actually left: scheduledAt + the generator's own lag. */
  sentAt: number;
  /** Whole-request latency measured from scheduledAt (never from sentAt: no coordinated omission). */
  latencyMs: number;
  ok: boolean;
  error?: { class: ErrorClass; key: string; message: string };
  status?: number;
  /** Streams: from scheduledAt to the first content token. */
  ttftMs?: number;
  /** Streams: mean time between output tokens after the first. */
  tpotMs?: number;
  completionTokens: number;
  /** The answer's `usage.prompt_tokens`, when it carried one. */
  promptTokens?: number;
  cache?: CacheOutcome;
  /** The answer said it came from the sim engine (x-gpuarb-simulated). */
  simulated?: boolean;
}

export interface Endpoint {
  /** The OpenAI base URL, ending in /v1 (no trailing slash). */
  baseUrl: string;
  key: string;
}

export type Arrival = { kind: 'open'; rate: number } | { kind: 'closed'; concurrency: number };

/** Chaos events planned during the run. */
export interface ChaosPlan {
  evictEverySec?: number;
  rotateSecretAtSec?: number;
}

/** What happened at a chaos event, and the figures around it. */
export interface ChaosEvent {
  atSec: number;
  kind: 'evict' | 'rotate-secret';
  ok: boolean;
  detail: string;
}
