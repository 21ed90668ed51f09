// POST /v1/chat/completions and /v1/completions on top of any Engine, in OpenAI's exact wire
// format (SSE `data: {json}\n\n` chunks, `data: [DONE]`, usage in a final empty-choices chunk
// when stream_options.include_usage is set). Shared by the agent and the sim's vLLM server.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HEADER_PROMPT_TOKENS, HEADER_REQUEST_ID, HEADER_SIMULATED, HEADER_USAGE, formatUsageHeader } from '../../contracts/headers.js';
import type { Engine, FinishReason, GenerateEvent, GenerateRequest } from '../engines/engine.js';
import { refuseUnsupported, refuseUnsupportedSchema } from './engine-support.js';
import { SseWriter, completionBody, type ToolCallOut } from './openai-wire.js';
import { parseJsonObject, readBody } from './read-body.js';
import { HttpError, badRequest, sendJson } from './respond.js';
import { parseGenerateBody, type ParsedRequest } from './validate-request.js';

export interface OpenAIRouteOptions {
  engine: Engine;
  maxBodyBytes: number;
  /** Longest silence while the body is read (unset: none, as for the sim's vLLM stand-in). */
  bodyIdleMs?: number;
  /** max_tokens when the client sends none (capped by what the context leaves). */
  defaultMaxTokens: number;
}

/** What the access log and the metrics need to know about one generation. */
export interface GenerationOutcome {
  model: string;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  finishReason: FinishReason | 'cancelled';
  ttftMs: number | null;
  prompt?: string;
  completion?: string;
}

export async function handleGenerate(
  kind: 'chat' | 'completion',
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  opts: OpenAIRouteOptions,
  keepText = false,
): Promise<GenerationOutcome> {
  const started = performance.now();
  const parsed = parseGenerateBody(kind, parseJsonObject(await readBody(req, opts.maxBodyBytes, opts.bodyIdleMs)));
  const { engine } = opts;
  if (parsed.model !== engine.model) {
    throw new HttpError(
      404,
      `The model \`${parsed.model}\` does not exist or you do not have access to it.`,
      'invalid_request_error',
      'model',
      'model_not_found',
    );
  }
  refuseUnsupported(parsed, engine);
  refuseUnsupportedSchema(parsed, engine);
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  const genReq: GenerateRequest = {
    kind,
    messages: parsed.messages,
    prompt: parsed.prompt,
    maxTokens: 0,
    temperature: parsed.temperature,
    topP: parsed.topP,
    stop: parsed.stop,
    seed: parsed.seed,
    presencePenalty: parsed.presencePenalty,
    frequencyPenalty: parsed.frequencyPenalty,
    logitBias: parsed.logitBias,
    user: parsed.user,
    responseFormat: parsed.responseFormat,
    tools: parsed.tools,
    toolChoice: parsed.toolChoice,
    parallelToolCalls: parsed.parallelToolCalls,
    requestId,
    signal: controller.signal,
    stream: parsed.stream,
  };
  const sized = resolveMaxTokens(parsed, engine, genReq, opts.defaultMaxTokens);
  genReq.maxTokens = sized.maxTokens;

  const iterator = engine.generate(genReq)[Symbol.asyncIterator]();
  const outcome: GenerationOutcome = {
    model: engine.model,
    stream: parsed.stream,
    promptTokens: 0,
    completionTokens: 0,
    finishReason: 'cancelled',
    ttftMs: null,
  };
  const texts: string[] = [];
  const calls: ToolCallOut[] = [];
  const headers: Record<string, string> = { [HEADER_REQUEST_ID]: requestId };
  if (engine.simulated) headers[HEADER_SIMULATED] = 'true';
  // The prompt is owed from the status line on, even if the client cuts the stream: the gateway
  // meters it then (x-gpuarb-prompt-tokens, set below once the count is known).
  const ids = { id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replace(/-/g, '')}`, created: Math.floor(Date.now() / 1000) };
  // The first event is awaited before any header is sent, so an engine refusal (queue full,
  // prompt too long for vLLM) still becomes a proper HTTP status rather than a broken stream.
  let next = await iterator.next();
  // An engine that counts the prompt itself (vLLM) says so in its first event.
  const promptTokens = !next.done && next.value.type === 'accepted' ? next.value.promptTokens : sized.promptTokens;
  if (parsed.stream && promptTokens !== undefined) headers[HEADER_PROMPT_TOKENS] = String(promptTokens);
  const usageOnEveryChunk = parsed.continuousUsage && promptTokens !== undefined ? { promptTokens } : null;
  const writer = parsed.stream ? new SseWriter(res, kind, engine, ids, parsed.includeUsage, headers, usageOnEveryChunk) : null;
  try {
    for (; !next.done; next = await iterator.next()) {
      const event: GenerateEvent = next.value;
      if (event.type !== 'done' && event.type !== 'accepted' && outcome.ttftMs === null) outcome.ttftMs = performance.now() - started;
      if (event.type === 'text') {
        if (writer) writer.text(event.text);
        else texts.push(event.text);
        if (keepText && writer) texts.push(event.text);
      } else if (event.type === 'tool_call') {
        calls[event.index] = { id: event.id, type: 'function', function: { name: event.name, arguments: '' } };
        writer?.toolCall(event.index, event.id, event.name);
      } else if (event.type === 'tool_arguments') {
        const call = calls[event.index];
        if (call) call.function.arguments += event.text;
        writer?.toolArguments(event.index, event.text);
      } else if (event.type === 'done') {
        outcome.promptTokens = event.usage.promptTokens;
        outcome.completionTokens = event.usage.completionTokens;
        outcome.finishReason = event.finishReason;
      }
    }
  } catch (err) {
    if (controller.signal.aborted) return outcome; // the client left: nothing to answer
    if (!writer) throw err;
    writer.error(err);
    return outcome;
  }
  if (controller.signal.aborted) return outcome;
  const finish = outcome.finishReason as FinishReason;
  const usage = {
    prompt_tokens: outcome.promptTokens,
    completion_tokens: outcome.completionTokens,
    total_tokens: outcome.promptTokens + outcome.completionTokens,
  };
  if (writer) writer.finish(finish, usage);
  else
    sendJson(res, 200, completionBody(kind, engine, ids, texts.join(''), calls, finish, usage), {
      ...headers,
      [HEADER_USAGE]: formatUsageHeader(usage.prompt_tokens, usage.completion_tokens),
    });
  if (keepText) {
    outcome.prompt = parsed.prompt ?? JSON.stringify(parsed.messages);
    outcome.completion = texts.join('') + (calls.length ? JSON.stringify(calls) : '');
  }
  return outcome;
}

function resolveMaxTokens(
  parsed: ParsedRequest,
  engine: Engine,
  genReq: GenerateRequest,
  fallback: number,
): { maxTokens: number; promptTokens?: number } {
  const ctx = engine.contextLength;
  const param = parsed.kind === 'chat' ? 'messages' : 'prompt';
  if (parsed.maxTokens !== undefined && parsed.maxTokens > ctx) {
    throw badRequest(
      `max_tokens is too large: ${parsed.maxTokens}. This model supports at most ${ctx} completion tokens, whereas you provided ${parsed.maxTokens}.`,
      'max_tokens',
      'invalid_value',
    );
  }
  const promptTokens = engine.countPromptTokens(genReq);
  if (promptTokens === undefined) return { maxTokens: parsed.maxTokens ?? fallback }; // the engine checks the context itself
  const requested = parsed.maxTokens ?? 0;
  if (promptTokens + Math.max(requested, 1) > ctx) {
    throw badRequest(
      `This model's maximum context length is ${ctx} tokens. ` +
        `However, you requested ${promptTokens + requested} tokens (${promptTokens} in the ${param}, ${requested} in the completion). ` +
        `Please reduce the length of the ${param} or completion.`,
      param,
      'context_length_exceeded',
    );
  }
  return { maxTokens: parsed.maxTokens ?? Math.min(fallback, ctx - promptTokens), promptTokens };
}
