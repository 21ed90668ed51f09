// The simulator engine: answers with deterministic text at the pace of a named model on a named
// GPU (profiles.ts): TTFT from the prompt length, TPOT slowing as more sequences share the batch,
// at most maxBatch sequences decoding and the rest queued. Time comes from an injectable Clock.
import { systemClock, type Clock } from '../../../lib/clock.js';
import {
  EngineRequestError,
  StatusCell,
  flattenChat,
  type Engine,
  type EngineFeature,
  type EngineLoad,
  type EngineStatus,
  type GenerateEvent,
  type GenerateRequest,
} from '../engine.js';
import { StopMatcher } from '../stop-matcher.js';
import { findProfile, timePerOutputTokenMs, timeToFirstTokenMs, type SimGpu, type SimProfile } from './profiles.js';
import { type SimToolCall, toolCallsFor } from './tool-calls.js';
import { tokenPieces, valueForSchema } from './schema-value.js';
import { approximateTokens, naturalAnswerLength, simulatedTokens } from './text.js';

export interface SimEngineOptions {
  model: string;
  gpu: SimGpu;
  clock?: Clock;
  /** Requests waiting beyond this are refused with 503 (the gateway retries elsewhere). */
  maxQueue?: number;
  /** Simulated model load time. */
  loadMs?: number;
  /** The load fails after loadMs (a model that does not fit, a bad download). */
  failLoad?: boolean;
  /** Overrides of profile fields (tests, what-if runs). */
  overrides?: Partial<SimProfile>;
}

export class SimEngine implements Engine {
  readonly kind = 'sim' as const;
  readonly simulated = true;
  readonly features: ReadonlySet<EngineFeature> = new Set(['tools', 'json_output']);
  readonly model: string;
  readonly profile: SimProfile;
  readonly fingerprint: string;
  private readonly clock: Clock;
  private readonly maxQueue: number;
  private readonly state = new StatusCell();
  private running = 0;
  private readonly waiting: { grant: () => void; refuse: (e: unknown) => void }[] = [];
  private ready?: Promise<void>;

  constructor(private readonly options: SimEngineOptions) {
    this.model = options.model;
    this.profile = { ...findProfile(options.model, options.gpu), ...options.overrides, model: options.model };
    this.clock = options.clock ?? systemClock;
    this.maxQueue = options.maxQueue ?? 1024;
    this.fingerprint = `simulated-${this.profile.model}-${this.profile.gpu}`;
  }

  get contextLength(): number {
    return this.profile.contextLength;
  }
  status(): EngineStatus {
    return this.state.get();
  }
  onStatus(listener: (s: EngineStatus) => void): () => void {
    return this.state.subscribe(listener);
  }
  load(): EngineLoad {
    return { running: this.running, waiting: this.waiting.length, cacheUsage: this.running / this.profile.maxBatch };
  }

  /** Idempotent: an engine handed to the agent already started is not loaded twice. */
  async start(): Promise<void> {
    if (this.ready) return;
    this.state.set('loading');
    this.ready = (async () => {
      if (this.options.loadMs) await this.clock.sleep(this.options.loadMs);
      if (this.options.failLoad) {
        this.state.set('failed');
        throw new Error(`simulated load failure of ${this.options.model}`);
      }
      this.state.set('ready');
    })();
    this.ready.catch(() => undefined); // surfaced through whenReady() and the status
  }

  whenReady(): Promise<void> {
    return this.ready ?? Promise.reject(new Error('engine not started'));
  }

  async stop(): Promise<void> {
    for (const w of this.waiting.splice(0)) w.refuse(new EngineRequestError(503, 'engine stopped', null, 'engine_stopped', 1));
    this.state.set('stopped');
  }

  countPromptTokens(req: GenerateRequest): number {
    if (req.kind === 'completion') return approximateTokens(req.prompt ?? '');
    // OpenAI's counting convention for chat: ~3 tokens of framing per message plus 3 for the reply.
    return (req.messages ?? []).reduce((n, m) => n + 3 + approximateTokens(m.content), 3);
  }

  async *generate(req: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const prompt = req.kind === 'chat' ? flattenChat(req.messages ?? []) : (req.prompt ?? '');
    const promptTokens = this.countPromptTokens(req);
    await this.acquireSlot(req.signal);
    try {
      await this.clock.sleep(timeToFirstTokenMs(this.profile, promptTokens), req.signal);
      const calls = toolCallsFor(req, prompt);
      if (calls.length) {
        yield* this.streamToolCalls(req, calls, promptTokens);
        return;
      }
      if (req.responseFormat && req.responseFormat.type !== 'text') {
        yield* this.streamJson(req, prompt, promptTokens);
        return;
      }
      const natural = naturalAnswerLength(prompt, req.seed);
      const stops = new StopMatcher(req.stop ?? []);
      let produced = 0;
      let finishReason: 'stop' | 'length' = 'stop';
      for (const piece of simulatedTokens(prompt, req.seed)) {
        if (produced > 0) await this.clock.sleep(timePerOutputTokenMs(this.profile, this.running), req.signal);
        produced++;
        const { text, stopped } = stops.push(piece);
        if (text) yield { type: 'text', text };
        if (stopped) break;
        if (produced >= req.maxTokens) {
          finishReason = produced < natural ? 'length' : 'stop';
          break;
        }
        if (produced >= natural) break;
      }
      const rest = stops.flush();
      if (rest) yield { type: 'text', text: rest };
      yield { type: 'done', finishReason, usage: { promptTokens, completionTokens: produced } };
    } finally {
      this.releaseSlot();
    }
  }

  /** One event per token, paced like text: the call's header (its name) counts as one. */
  private async *streamToolCalls(req: GenerateRequest, calls: SimToolCall[], promptTokens: number): AsyncGenerator<GenerateEvent> {
    let produced = 0;
    let finishReason: 'tool_calls' | 'length' = 'tool_calls';
    const tick = async () => {
      if (produced > 0) await this.clock.sleep(timePerOutputTokenMs(this.profile, this.running), req.signal);
      produced++;
    };
    outer: for (const [index, call] of calls.entries()) {
      await tick();
      yield { type: 'tool_call', index, id: call.id, name: call.name };
      for (const piece of tokenPieces(call.arguments)) {
        if (produced >= req.maxTokens) {
          finishReason = 'length';
          break outer;
        }
        await tick();
        yield { type: 'tool_arguments', index, text: piece };
      }
    }
    yield { type: 'done', finishReason, usage: { promptTokens, completionTokens: produced } };
  }

  /** Structured output: a value valid for the schema (json_object: an object), one piece per token. */
  private async *streamJson(req: GenerateRequest, prompt: string, promptTokens: number): AsyncGenerator<GenerateEvent> {
    const f = req.responseFormat;
    const schema = f?.type === 'json_schema' ? f.schema : { type: 'object', properties: { answer: { type: 'string' } } };
    const text = JSON.stringify(valueForSchema(schema, naturalAnswerLength(prompt, req.seed)));
    let produced = 0;
    let finishReason: 'stop' | 'length' = 'stop';
    for (const piece of tokenPieces(text)) {
      if (produced >= req.maxTokens) {
        finishReason = 'length';
        break;
      }
      if (produced > 0) await this.clock.sleep(timePerOutputTokenMs(this.profile, this.running), req.signal);
      produced++;
      yield { type: 'text', text: piece };
    }
    yield { type: 'done', finishReason, usage: { promptTokens, completionTokens: produced } };
  }

  private acquireSlot(signal: AbortSignal): Promise<void> {
    if (this.state.get() !== 'ready') return Promise.reject(new EngineRequestError(503, 'engine not ready', null, 'engine_not_ready', 1));
    if (this.running < this.profile.maxBatch) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) {
      return Promise.reject(new EngineRequestError(503, 'the replica queue is full', null, 'engine_overloaded', 1));
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        refuse: (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `running` stays the same.
    if (next) next.grant();
    else this.running--;
  }
}
