// The Chat Completions (and legacy Completions) request, validated once, here, by the gateway
// before it routes or keys a request and by the agent before it generates: every field OpenAI
// defines is checked for type and range as OpenAI checks it, and unknown fields are ignored as
// OpenAI ignores them. Whether an engine honours a field is the agent's business (engines say
// which they refuse); this module only says whether the request is well-formed.
import {
  type ResponseFormat,
  type ToolChoice,
  type ToolDefinition,
  parseLogitBias,
  parseParallelToolCalls,
  parseResponseFormat,
  parseToolChoice,
  parseTools,
} from './chat-tools.js';
import {
  type Body,
  InvalidRequest,
  invalid,
  isObject,
  missing,
  optionalBoolean,
  optionalNumber,
  optionalString,
  wrongType,
} from './request-checks.js';

export { InvalidRequest };
export type { ResponseFormat, ToolChoice, ToolDefinition };

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the JSON text the model produced. */
  arguments: string;
}

export interface ChatTurn {
  role: string;
  /** Text parts joined; '' for an assistant turn that only called tools. */
  content: string;
  /** An assistant turn's tool calls. */
  toolCalls?: ToolCall[];
  /** A tool turn: which call it answers. */
  toolCallId?: string;
}

export interface ParsedRequest {
  kind: 'chat' | 'completion';
  model: string;
  messages?: ChatTurn[];
  prompt?: string;
  /** Undefined when the client left it to the server. */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  logitBias?: Record<string, number>;
  user?: string;
  logprobs: boolean;
  topLogprobs?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  stream: boolean;
  includeUsage: boolean;
  /** vLLM's `stream_options.continuous_usage_stats`: usage on every chunk (only with include_usage, as vLLM). */
  continuousUsage: boolean;
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];
/** OpenAI's bound on top_logprobs. */
export const MAX_TOP_LOGPROBS = 20;

function messageContent(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw wrongType(param, 'a string or an array of content parts', content);
  return content
    .map((part, j) => {
      if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string')
        throw invalid(`Invalid '${param}[${j}]': only text content parts ({"type":"text","text":…}) are supported.`, `${param}[${j}]`);
      return part.text;
    })
    .join('');
}

function parseToolCalls(value: unknown, param: string): ToolCall[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(param, 'an array', value);
  return value.map((c, j) => {
    const p = `${param}[${j}]`;
    if (!isObject(c)) throw wrongType(p, 'an object', c);
    if (typeof c.id !== 'string') throw c.id === undefined ? missing(`${p}.id`) : wrongType(`${p}.id`, 'a string', c.id);
    if (c.type !== undefined && c.type !== 'function') throw invalid(`Invalid value for '${p}.type': expected 'function'.`, `${p}.type`);
    const f = c.function;
    if (!isObject(f)) throw f === undefined ? missing(`${p}.function`) : wrongType(`${p}.function`, 'an object', f);
    if (typeof f.name !== 'string')
      throw f.name === undefined ? missing(`${p}.function.name`) : wrongType(`${p}.function.name`, 'a string', f.name);
    if (typeof f.arguments !== 'string')
      throw f.arguments === undefined ? missing(`${p}.function.arguments`) : wrongType(`${p}.function.arguments`, 'a string', f.arguments);
    return { id: c.id, name: f.name, arguments: f.arguments };
  });
}

function parseMessages(value: unknown): ChatTurn[] {
  if (value === undefined) throw missing('messages');
  if (!Array.isArray(value)) throw wrongType('messages', 'an array', value);
  if (value.length === 0)
    throw invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  const openCalls = new Set<string>();
  return value.map((m, i) => {
    const param = `messages[${i}]`;
    if (!isObject(m)) throw wrongType(param, 'an object', m);
    const { role } = m;
    if (role === undefined) throw missing(`${param}.role`);
    if (typeof role !== 'string' || !ROLES.includes(role))
      throw invalid(`Invalid value for '${param}.role': expected one of ${ROLES.join(', ')}.`, `${param}.role`);
    optionalString(m.name, `${param}.name`);
    const turn: ChatTurn = { role, content: messageContent(m.content, `${param}.content`) };
    if (role === 'assistant') {
      turn.toolCalls = parseToolCalls(m.tool_calls, `${param}.tool_calls`);
      for (const c of turn.toolCalls ?? []) openCalls.add(c.id);
    } else if (m.tool_calls !== undefined && m.tool_calls !== null)
      throw invalid(`Invalid '${param}.tool_calls': only messages with role 'assistant' carry tool calls.`, `${param}.tool_calls`);
    if (role === 'tool') {
      if (m.tool_call_id === undefined || m.tool_call_id === null) throw missing(`${param}.tool_call_id`);
      if (typeof m.tool_call_id !== 'string') throw wrongType(`${param}.tool_call_id`, 'a string', m.tool_call_id);
      if (!openCalls.has(m.tool_call_id))
        throw invalid(
          `Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls' (no earlier call has id '${m.tool_call_id}').`,
          `${param}.tool_call_id`,
        );
      turn.toolCallId = m.tool_call_id;
    }
    return turn;
  });
}

function parsePrompt(value: unknown): string {
  if (value === undefined) throw missing('prompt');
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  if (Array.isArray(value))
    throw invalid("Invalid 'prompt': this server accepts a single prompt (a string or an array of one string).", 'prompt');
  throw wrongType('prompt', 'a string', value);
}

function parseStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) {
    if (value.length > 4)
      throw invalid("Invalid 'stop': array too long. Expected an array with maximum length 4.", 'stop', 'array_above_max_length');
    return value.filter((s) => s.length > 0);
  }
  throw wrongType('stop', 'a string or an array of strings', value);
}

function parseStreamOptions(body: Body, stream: boolean): { includeUsage: boolean; continuousUsage: boolean } {
  const so = body.stream_options;
  if (so === undefined || so === null) return { includeUsage: false, continuousUsage: false };
  if (!stream) throw invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  if (!isObject(so)) throw wrongType('stream_options', 'an object', so);
  const includeUsage = optionalBoolean(so.include_usage, 'stream_options.include_usage') === true;
  const continuous = optionalBoolean(so.continuous_usage_stats, 'stream_options.continuous_usage_stats') === true;
  return { includeUsage, continuousUsage: includeUsage && continuous };
}

function parseLogprobs(kind: 'chat' | 'completion', body: Body): { logprobs: boolean; topLogprobs?: number } {
  // Legacy completions: `logprobs` is the number of alternatives (0–5), not a flag.
  if (kind === 'completion') {
    const n = optionalNumber(body.logprobs, 'logprobs', 0, 5, true);
    return { logprobs: n !== undefined, topLogprobs: n };
  }
  const logprobs = optionalBoolean(body.logprobs, 'logprobs') ?? false;
  const topLogprobs = optionalNumber(body.top_logprobs, 'top_logprobs', 0, MAX_TOP_LOGPROBS, true);
  if (topLogprobs !== undefined && !logprobs)
    throw invalid("Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.", 'top_logprobs');
  return { logprobs, topLogprobs };
}

/** Validates the body; throws InvalidRequest naming the first offending parameter. */
export function parseGenerateBody(kind: 'chat' | 'completion', body: Body): ParsedRequest {
  const model = body.model;
  if (model === undefined || model === null) throw missing('model');
  if (typeof model !== 'string') throw wrongType('model', 'a string', model);
  if (model.length === 0) throw invalid("Invalid 'model': empty string. Name a model (GET /v1/models lists them).", 'model');
  const messages = kind === 'chat' ? parseMessages(body.messages) : undefined;
  const prompt = kind === 'completion' ? parsePrompt(body.prompt) : undefined;
  const stream = optionalBoolean(body.stream, 'stream') ?? false;
  const { includeUsage, continuousUsage } = parseStreamOptions(body, stream);
  optionalNumber(body.n, 'n', 1, 1, true); // one choice per request: a client wanting more sends more requests
  // max_completion_tokens is the newer name in chat; either is accepted.
  const tokenParam =
    kind === 'chat' && body.max_completion_tokens !== undefined && body.max_completion_tokens !== null
      ? 'max_completion_tokens'
      : 'max_tokens';
  const tools = kind === 'chat' ? parseTools(body.tools) : undefined;
  for (const legacy of ['functions', 'function_call'])
    if (body[legacy] !== undefined && body[legacy] !== null)
      throw invalid(
        `'${legacy}' is deprecated and not accepted here: send 'tools' (and 'tool_choice') instead.`,
        legacy,
        'unsupported_parameter',
      );
  return {
    kind,
    model,
    messages,
    prompt,
    maxTokens: optionalNumber(body[tokenParam], tokenParam, 1, Number.MAX_SAFE_INTEGER, true),
    temperature: optionalNumber(body.temperature, 'temperature', 0, 2),
    topP: optionalNumber(body.top_p, 'top_p', 0, 1),
    stop: parseStop(body.stop),
    seed: optionalNumber(body.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true),
    presencePenalty: optionalNumber(body.presence_penalty, 'presence_penalty', -2, 2),
    frequencyPenalty: optionalNumber(body.frequency_penalty, 'frequency_penalty', -2, 2),
    logitBias: parseLogitBias(body.logit_bias),
    user: optionalString(body.user, 'user'),
    ...parseLogprobs(kind, body),
    tools,
    toolChoice: kind === 'chat' ? parseToolChoice(body.tool_choice, tools) : undefined,
    parallelToolCalls: kind === 'chat' ? parseParallelToolCalls(body.parallel_tool_calls, tools) : undefined,
    responseFormat: kind === 'chat' ? parseResponseFormat(body.response_format) : undefined,
    stream,
    includeUsage,
    continuousUsage,
  };
}
