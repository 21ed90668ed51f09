// llama.cpp in process through node-llama-cpp, on a GGUF file (CPU, or GPU when the binding has
// one). One context with `parallel` sequences: up to that many requests decode together (llama.cpp
// batches them), the rest wait in a bounded queue.
import type {
  ChatHistoryItem,
  ChatWrapper,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaContextSequenceRepeatPenalty,
  LlamaModel,
  Token,
  TokenBias,
} from 'node-llama-cpp';
import type { AgentConfig } from '../../config.js';
import type { Logger } from '../../log.js';
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
import { getLlamaOrExplain, importNodeLlamaCpp } from './binding.js';
import { required } from '../../../lib/required.js';
import { SequencePool } from './sequence-pool.js';

type LlamaCppConfig = Extract<AgentConfig['engine'], { type: 'llamacpp' }>;

/** Up to this many tokens are held back while they decode to an incomplete UTF-8 character. */
const MAX_PENDING_TOKENS = 4;

export class LlamaCppEngine implements Engine {
  readonly kind = 'llamacpp' as const;
  readonly simulated = false;
  readonly features: ReadonlySet<EngineFeature> = new Set();
  readonly model: string;
  readonly fingerprint: string;
  private readonly state = new StatusCell();
  private llama?: Llama;
  private llamaModel?: LlamaModel;
  private context?: LlamaContext;
  private pool?: SequencePool<LlamaContextSequence>;
  private chatWrapper?: ChatWrapper;
  private ready?: Promise<void>;
  /** Tokenised prompts, so the context check and the generation tokenise once. */
  private readonly promptTokens = new WeakMap<GenerateRequest, Token[]>();

  constructor(
    private readonly config: LlamaCppConfig,
    private readonly log: Logger,
  ) {
    this.model = config.model;
    this.fingerprint = `llamacpp-${config.model}`;
  }

  get contextLength(): number {
    return this.context?.contextSize ?? this.config.contextSize;
  }
  status(): EngineStatus {
    return this.state.get();
  }
  onStatus(listener: (s: EngineStatus) => void): () => void {
    return this.state.subscribe(listener);
  }
  whenReady(): Promise<void> {
    return this.ready ?? Promise.reject(new Error('engine not started'));
  }
  load(): EngineLoad {
    return { running: this.pool?.busy ?? 0, waiting: this.pool?.waiting ?? 0, cacheUsage: null };
  }

  /** Idempotent: an engine handed to the agent already started is not loaded twice. */
  async start(): Promise<void> {
    if (this.state.get() !== 'stopped') return;
    this.state.set('starting');
    const binding = await importNodeLlamaCpp();
    // build: 'never' — a VM must not start compiling llama.cpp; the prebuilt binaries ship with npm.
    this.llama = await getLlamaOrExplain(binding, {
      gpu: this.config.gpu === true ? 'auto' : this.config.gpu,
      build: 'never',
      maxThreads: this.config.maxThreads,
      logLevel: binding.LlamaLogLevel.warn,
      logger: (level, message) => this.log.debug('llama.cpp', { level, message: message.trim() }),
    });
    this.state.set('loading');
    this.ready = this.loadModel().catch((e) => {
      this.state.set('failed');
      throw e;
    });
    this.ready.catch(() => undefined); // surfaced through whenReady() and the status
  }

  private async loadModel(): Promise<void> {
    const started = Date.now();
    const model = await required(this.llama, 'the llama.cpp binding').loadModel({ modelPath: this.config.modelPath });
    this.llamaModel = model;
    const { resolveChatWrapper } = await importNodeLlamaCpp();
    this.chatWrapper = resolveChatWrapper(model);
    const context = await model.createContext({ contextSize: this.config.contextSize, sequences: this.config.parallel });
    this.context = context;
    const sequences = Array.from({ length: this.config.parallel }, () => context.getSequence());
    this.pool = new SequencePool(sequences, this.config.maxQueue);
    this.log.info('model loaded', {
      modelPath: this.config.modelPath,
      ms: Date.now() - started,
      contextSize: context.contextSize,
      parallel: this.config.parallel,
    });
    this.state.set('ready');
  }

  async stop(): Promise<void> {
    this.pool?.close();
    await this.context?.dispose();
    await this.llamaModel?.dispose();
    this.state.set('stopped');
  }

  countPromptTokens(req: GenerateRequest): number {
    return this.tokenize(req).length;
  }

  private tokenize(req: GenerateRequest): Token[] {
    let tokens = this.promptTokens.get(req);
    if (tokens) return tokens;
    const model = this.llamaModel;
    if (!model) throw new EngineRequestError(503, 'engine not ready', null, 'engine_not_ready', 1);
    if (req.kind === 'chat') tokens = this.chatTokens(model, req);
    else {
      tokens = model.tokenize(req.prompt ?? '');
      if (model.tokens.bos !== null && model.tokens.shouldPrependBosToken) tokens = [model.tokens.bos, ...tokens];
    }
    this.promptTokens.set(req, tokens);
    return tokens;
  }

  /** Applies the model's own chat template (from the GGUF) when node-llama-cpp knows one. */
  private chatTokens(model: LlamaModel, req: GenerateRequest): Token[] {
    const messages = req.messages ?? [];
    if (!this.chatWrapper) return model.tokenize(flattenChat(messages));
    const history: ChatHistoryItem[] = messages.map((m) =>
      m.role === 'assistant'
        ? { type: 'model', response: [m.content] }
        : m.role === 'system' || m.role === 'developer'
          ? { type: 'system', text: m.content }
          : { type: 'user', text: m.content },
    );
    history.push({ type: 'model', response: [] });
    return this.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer);
  }

  /** logit_bias as llama.cpp takes it: OpenAI's bias is added to the logit, as `{ logit }` is. */
  private async tokenBias(req: GenerateRequest): Promise<TokenBias | undefined> {
    const entries = Object.entries(req.logitBias ?? {});
    if (!entries.length) return undefined;
    const model = required(this.llamaModel, 'the loaded model');
    const { TokenBias } = await importNodeLlamaCpp();
    const bias = new TokenBias(model.tokenizer);
    // The sampler indexes its logits by id: an id past the vocabulary is the client's error, not a native crash.
    const vocabulary = model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? Number.POSITIVE_INFINITY;
    for (const [id, logit] of entries) {
      if (Number(id) >= vocabulary)
        throw new EngineRequestError(
          400,
          `Invalid key in 'logit_bias': ${id} is not a token of this model (its vocabulary has ${vocabulary} tokens).`,
          'logit_bias',
          'invalid_value',
        );
      bias.set(Number(id) as Token, { logit });
    }
    return bias;
  }

  async *generate(req: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const prompt = this.tokenize(req);
    // tokenize() answered 503 unless the model is loaded; the pool is created with it.
    const model = required(this.llamaModel, 'the loaded model');
    const pool = required(this.pool, 'the sequence pool');
    const sequence = await pool.acquire(req.signal);
    try {
      await sequence.clearHistory();
      const stops = new StopMatcher(req.stop ?? []);
      const generated: Token[] = [];
      let pending: Token[] = [];
      let finishReason: 'stop' | 'length' = 'length';
      const sampling = {
        temperature: req.temperature ?? 0.7,
        topP: req.topP,
        seed: req.seed,
        repeatPenalty: openAIPenalties(req, generated),
        tokenBias: await this.tokenBias(req),
      };
      for await (const token of sequence.evaluate(prompt, sampling)) {
        if (req.signal.aborted) throw req.signal.reason;
        if (model.isEogToken(token)) {
          finishReason = 'stop';
          break;
        }
        generated.push(token);
        pending.push(token);
        // Hold tokens that end inside a multi-byte character until it is complete.
        const text = model.detokenize(pending, false, generated.slice(-pending.length - 4, -pending.length));
        if (!text.endsWith('\uFFFD') || pending.length >= MAX_PENDING_TOKENS) {
          pending = [];
          const out = stops.push(text);
          if (out.text) yield { type: 'text', text: out.text };
          if (out.stopped) {
            finishReason = 'stop';
            break;
          }
        }
        if (generated.length >= req.maxTokens) break;
      }
      if (req.signal.aborted) throw req.signal.reason;
      const rest = stops.flush();
      if (rest) yield { type: 'text', text: rest };
      yield { type: 'done', finishReason, usage: { promptTokens: prompt.length, completionTokens: generated.length } };
    } finally {
      pool.release(sequence);
    }
  }
}

/**
 * presence_penalty and frequency_penalty over the tokens generated so far, as OpenAI defines them
 * (subtracted from the logit once, and once per occurrence); llama.cpp's multiplicative repeat
 * penalty is left off (1), as OpenAI has none.
 */
function openAIPenalties(req: GenerateRequest, generated: Token[]): LlamaContextSequenceRepeatPenalty | undefined {
  if (!req.presencePenalty && !req.frequencyPenalty) return undefined;
  return {
    punishTokens: () => generated,
    maxPunishTokens: Math.max(64, req.maxTokens),
    penalty: 1,
    presencePenalty: req.presencePenalty ?? 0,
    frequencyPenalty: req.frequencyPenalty ?? 0,
  };
}
