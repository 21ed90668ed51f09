// The one interface the HTTP layer talks to. Each engine (vllm, llamacpp, sim) turns a validated
// OpenAI request into a stream of text pieces plus usage; the HTTP layer owns the OpenAI wire
// format, so every engine answers in exactly the same shape.

import type { ChatTurn, ResponseFormat, ToolChoice, ToolDefinition } from '../../contracts/chat-request.js';

/** A turn of the conversation: role, text, and the tool calls / tool answers it carries. */
export type ChatMessage = ChatTurn;

/** Request features an engine may or may not honour; the agent refuses (400) those its engine does not. */
export type EngineFeature = 'tools' | 'json_output' | 'logprobs';

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
  /** OpenAI's additive penalties, -2..2. */
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Token id (decimal string) → logit added, -100..100. */
  logitBias?: Record<string, number>;
  /** The caller's end-user id, passed on to engines that log it (vLLM). */
  user?: string;
  /** json_object / json_schema: only reaches engines with the json_output feature. */
  responseFormat?: ResponseFormat;
  /** Only reaches engines with the tools feature. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  requestId: string;
  /** The client wants a stream; engines behind HTTP (vllm) fetch one answer when it does not. */
  stream?: boolean;
  /** Aborted when the client disconnects: the engine must stop generating. */
  signal: AbortSignal;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface GenerateUsage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * Text pieces, or tool calls: `tool_call` opens call `index` (its id and function name), then
 * `tool_arguments` pieces append to that call's arguments — the order OpenAI streams them in.
 * `accepted`: the engine has taken the request and counted its prompt. Only engines that do not
 * count the prompt locally (vLLM owns its tokenizer) send it, before any text: from here on the
 * prompt is owed even if the client cuts the stream.
 */
export type GenerateEvent =
  | { type: 'accepted'; promptTokens: number }
  | { type: 'text'; text: string }
  | { type: 'tool_call'; index: number; id: string; name: string }
  | { type: 'tool_arguments'; index: number; text: string }
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
  /** What this engine honours of the features a request may ask for. */
  readonly features: ReadonlySet<EngineFeature>;
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
