// The one interface the HTTP layer talks to. Each engine (vllm, llamacpp, sim) turns a validated
// OpenAI request into a stream of text pieces plus usage; the HTTP layer owns the OpenAI wire
// format, so every engine answers in exactly the same shape.

export interface ChatMessage {
  role: string;
  content: string;
}

export interface GenerateRequest {
  kind: 'chat' | 'completion';
  /** Chat requests: the conversation (content already flattened to text). */
  messages?: ChatMessage[];
  /** Completion requests: the prompt. */
  prompt?: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  requestId: string;
  /** The client wants a stream; engines behind HTTP (vllm) fetch one answer when it does not. */
  stream?: boolean;
  /** Aborted when the client disconnects: the engine must stop generating. */
  signal: AbortSignal;
}

export type FinishReason = 'stop' | 'length';

export interface GenerateUsage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * `accepted`: the engine has taken the request and counted its prompt. Only engines that do not
 * count the prompt locally (vLLM owns its tokenizer) send it, before any text: from here on the
 * prompt is owed even if the client cuts the stream.
 */
export type GenerateEvent =
  | { type: 'accepted'; promptTokens: number }
  | { type: 'text'; text: string }
  | { type: 'done'; finishReason: FinishReason; usage: GenerateUsage };

/** Engine lifecycle as the health endpoints see it. */
export type EngineStatus = 'stopped' | 'starting' | 'loading' | 'ready' | 'failed';

export interface EngineLoad {
  running: number;
  waiting: number;
  /** KV-cache use 0..1 when the engine reports it. */
  cacheUsage: number | null;
}

/** A request error the engine detected (e.g. vLLM rejecting a prompt longer than the context). */
export class EngineRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'EngineRequestError';
  }
}

export interface Engine {
  readonly kind: 'vllm' | 'llamacpp' | 'sim';
  /** The model id clients use. */
  readonly model: string;
  readonly simulated: boolean;
  /** Max prompt + completion tokens. */
  readonly contextLength: number;
  /** Sent as system_fingerprint. */
  readonly fingerprint: string;
  status(): EngineStatus;
  /** Starts the engine; resolves once the process/binding has started (not necessarily loaded). */
  start(): Promise<void>;
  /** Resolves once the model is loaded and the engine can serve. */
  whenReady(): Promise<void>;
  stop(): Promise<void>;
  /** Prompt length in tokens when the engine can count locally; undefined = the engine checks. */
  countPromptTokens(req: GenerateRequest): number | undefined;
  generate(req: GenerateRequest): AsyncIterable<GenerateEvent>;
  load(): EngineLoad;
  /** Subscribes to status changes; returns an unsubscribe function. */
  onStatus(listener: (status: EngineStatus) => void): () => void;
}

/** Small helper every engine uses to publish its status. */
export class StatusCell {
  private value: EngineStatus = 'stopped';
  private listeners = new Set<(s: EngineStatus) => void>();
  get(): EngineStatus {
    return this.value;
  }
  set(next: EngineStatus): void {
    if (next === this.value) return;
    this.value = next;
    for (const l of this.listeners) l(next);
  }
  subscribe(listener: (s: EngineStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Renders chat messages as one prompt for engines without a chat template of their own. */
export function flattenChat(messages: ChatMessage[]): string {
  return `${messages.map((m) => `<|${m.role}|>\n${m.content}`).join('\n')}\n<|assistant|>\n`;
}
