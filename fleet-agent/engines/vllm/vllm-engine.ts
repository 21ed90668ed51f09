// The vllm engine: supervises `vllm serve` (vllm-supervisor.ts), forwards each request to its
// OpenAI API as a stream and re-emits the text, so the agent's own OpenAI layer answers in one
// format for every engine; reads running/waiting requests and KV-cache use from its /metrics.
import { Agent as HttpAgent, request, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { HEADER_REQUEST_ID } from '../../../contracts/headers.js';
import { required } from '../../../lib/required.js';
import type { AgentConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import {
  EngineRequestError,
  StatusCell,
  type Engine,
  type EngineFeature,
  type EngineLoad,
  type EngineStatus,
  type GenerateEvent,
  type GenerateRequest,
} from '../engine.js';
import { sumMetric } from './prometheus-text.js';
import { readSse } from './sse-reader.js';
import { VllmSupervisor } from './vllm-supervisor.js';

type VllmConfig = Extract<AgentConfig['engine'], { type: 'vllm' }>;

/** A free localhost port for vLLM when the config says 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class VllmEngine implements Engine {
  readonly kind = 'vllm' as const;
  readonly simulated = false;
  /** vLLM enforces response_format itself (guided decoding); its answer is still plain text. */
  readonly features: ReadonlySet<EngineFeature> = new Set(['json_output']);
  readonly model: string;
  readonly fingerprint: string;
  readonly contextLength: number;
  private readonly state = new StatusCell();
  private readonly agent = new HttpAgent({ keepAlive: true, maxSockets: 1024 });
  supervisor?: VllmSupervisor;
  private metricsTimer?: NodeJS.Timeout;
  private lastLoad: EngineLoad = { running: 0, waiting: 0, cacheUsage: null };

  constructor(
    private readonly config: VllmConfig,
    private readonly log: Logger,
  ) {
    this.model = config.model;
    this.fingerprint = `vllm-${config.model}`;
    this.contextLength = config.contextLength;
  }

  status(): EngineStatus {
    return this.state.get();
  }
  onStatus(listener: (s: EngineStatus) => void): () => void {
    return this.state.subscribe(listener);
  }
  load(): EngineLoad {
    return this.lastLoad;
  }
  whenReady(): Promise<void> {
    return this.supervisor ? this.supervisor.whenReady() : Promise.reject(new Error('engine not started'));
  }
  /** vLLM owns the tokenizer: it checks the context itself and we pass its 400 on. */
  countPromptTokens(): undefined {
    return undefined;
  }

  async start(): Promise<void> {
    if (this.supervisor) return;
    const port = this.config.port || (await freePort());
    this.supervisor = new VllmSupervisor(this.config, port, this.state, this.log);
    this.supervisor.start();
    this.metricsTimer = setInterval(() => void this.pollMetrics(), this.config.metricsPollMs);
    this.metricsTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.metricsTimer);
    await this.supervisor?.stop();
    this.agent.destroy();
  }

  private async pollMetrics(): Promise<void> {
    if (this.state.get() !== 'ready') return;
    try {
      const res = await fetch(`http://127.0.0.1:${this.vllmPort()}/metrics`, { signal: AbortSignal.timeout(2000) });
      const text = await res.text();
      this.lastLoad = {
        running: sumMetric(text, 'vllm:num_requests_running') ?? 0,
        waiting: sumMetric(text, 'vllm:num_requests_waiting') ?? 0,
        // Renamed kv_cache_usage_perc in newer vLLM releases; accept either.
        cacheUsage: sumMetric(text, 'vllm:gpu_cache_usage_perc') ?? sumMetric(text, 'vllm:kv_cache_usage_perc'),
      };
    } catch (e) {
      this.log.debug('vllm metrics unavailable', { err: e });
    }
  }

  async *generate(req: GenerateRequest): AsyncGenerator<GenerateEvent> {
    if (this.state.get() !== 'ready') throw new EngineRequestError(503, 'vLLM is not ready', null, 'engine_not_ready', 1);
    const body = JSON.stringify({
      model: this.config.model,
      ...(req.kind === 'chat' ? { messages: req.messages } : { prompt: req.prompt }),
      max_tokens: req.maxTokens,
      temperature: req.temperature,
      top_p: req.topP,
      stop: req.stop,
      seed: req.seed,
      presence_penalty: req.presencePenalty,
      frequency_penalty: req.frequencyPenalty,
      logit_bias: req.logitBias,
      user: req.user,
      response_format: vllmResponseFormat(req),
      // continuous_usage_stats puts usage on every chunk, the first one included: that is how the
      // prompt's size is known as soon as vLLM has taken the request, before any text.
      ...(req.stream === false ? {} : { stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } }),
    });
    const res = await this.post(req.kind === 'chat' ? '/v1/chat/completions' : '/v1/completions', body, req);
    if (res.statusCode !== 200) throw await upstreamError(res);
    if (req.stream === false) {
      yield* whole(res);
      return;
    }
    let usage = { promptTokens: 0, completionTokens: 0 };
    let finishReason: 'stop' | 'length' = 'stop';
    let accepted = false;
    for await (const data of readSse(res, req.signal)) {
      const chunk = JSON.parse(data) as {
        choices?: { delta?: { content?: string | null }; text?: string; finish_reason?: string | null }[];
        usage?: { prompt_tokens: number; completion_tokens: number } | null;
        error?: { message?: string };
      };
      if (chunk.error) throw new EngineRequestError(502, `vLLM: ${chunk.error.message ?? 'stream error'}`, null, 'engine_error');
      if (!accepted && chunk.usage) {
        accepted = true;
        yield { type: 'accepted', promptTokens: chunk.usage.prompt_tokens };
      }
      const choice = chunk.choices?.[0];
      const text = choice?.delta?.content ?? choice?.text;
      if (text) yield { type: 'text', text };
      if (choice?.finish_reason) finishReason = choice.finish_reason === 'length' ? 'length' : 'stop';
      if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
    }
    yield { type: 'done', finishReason, usage };
  }

  /** Where the supervised vLLM listens; only asked once it is ready, so after start(). */
  private vllmPort(): number {
    return required(this.supervisor, 'the vLLM supervisor').port;
  }

  private post(path: string, body: string, req: GenerateRequest): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const r = request(
        {
          host: '127.0.0.1',
          port: this.vllmPort(),
          path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [HEADER_REQUEST_ID]: req.requestId },
          timeout: this.config.requestTimeoutMs,
          signal: req.signal,
        },
        resolve,
      );
      r.on('timeout', () => r.destroy(new EngineRequestError(504, 'vLLM did not answer in time', null, 'engine_timeout')));
      r.on('error', (e) =>
        reject(
          req.signal.aborted
            ? req.signal.reason
            : e instanceof EngineRequestError
              ? e
              : new EngineRequestError(503, `vLLM unreachable: ${e.message}`, null, 'engine_unavailable', 1),
        ),
      );
      r.end(body);
    });
  }
}

/** A non-streamed answer: one JSON body, re-emitted as one text event (cheaper than SSE per token). */
async function* whole(res: IncomingMessage): AsyncGenerator<GenerateEvent> {
  let text = '';
  res.setEncoding('utf8');
  for await (const c of res as AsyncIterable<string>) text += c;
  const j = JSON.parse(text) as {
    choices: { message?: { content?: string | null }; text?: string; finish_reason?: string }[];
    usage: { prompt_tokens: number; completion_tokens: number };
  };
  const choice = j.choices[0];
  const content = choice?.message?.content ?? choice?.text ?? '';
  if (content) yield { type: 'text', text: content };
  yield {
    type: 'done',
    finishReason: choice?.finish_reason === 'length' ? 'length' : 'stop',
    usage: { promptTokens: j.usage.prompt_tokens, completionTokens: j.usage.completion_tokens },
  };
}

/** vLLM answers errors as {object:"error",message,param,code} (older: OpenAI's shape); both map here. */
async function upstreamError(res: IncomingMessage): Promise<EngineRequestError> {
  let text = '';
  for await (const c of res) text += c;
  let message = text.slice(0, 500) || `HTTP ${res.statusCode}`;
  let param: string | null = null;
  try {
    const j = JSON.parse(text) as { message?: string; param?: string | null; error?: { message?: string; param?: string | null } };
    message = j.error?.message ?? j.message ?? message;
    param = j.error?.param ?? j.param ?? null;
  } catch {
    /* not JSON */
  }
  const status = res.statusCode ?? 502;
  if (status >= 500) return new EngineRequestError(503, `vLLM error: ${message}`, null, 'engine_error', 1);
  const code = /context length/i.test(message) ? 'context_length_exceeded' : status === 404 ? 'model_not_found' : 'invalid_value';
  return new EngineRequestError(status, message, param, code);
}

/**
 * response_format as vLLM's OpenAI server takes it: json_object and json_schema are enforced by its
 * structured-output (guided decoding) backend, so the answer always parses. `strict` is OpenAI's
 * promise of exactly that, which guided decoding gives for every schema it accepts.
 */
function vllmResponseFormat(req: GenerateRequest): Record<string, unknown> | undefined {
  const f = req.responseFormat;
  if (!f || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name: f.name, schema: f.schema, strict: f.strict } };
}
