// Validation of /v1/chat/completions and /v1/completions bodies, with OpenAI's wording and
// error codes so callers get the same 400s they would from OpenAI. Hand-written rather than zod:
// it runs on every request and the benchmark budget is < 0.5 ms added per request.
import type { ChatMessage } from '../engines/engine.js';
import { badRequest } from './respond.js';

export interface ParsedRequest {
  kind: 'chat' | 'completion';
  model: string;
  messages?: ChatMessage[];
  prompt?: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  stream: boolean;
  includeUsage: boolean;
  /** vLLM's `stream_options.continuous_usage_stats`: usage on every chunk (with include_usage). */
  continuousUsage: boolean;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function wrongType(param: string, expected: string, got: unknown) {
  return badRequest(`Invalid type for '${param}': expected ${expected}, but got ${typeName(got)} instead.`, param, 'invalid_type');
}

function missing(param: string) {
  return badRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function optionalNumber(body: Record<string, unknown>, param: string, min: number, max: number, integer = false): number | undefined {
  const v = body[param];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw wrongType(param, integer ? 'an integer' : 'a number', v);
  if (integer && !Number.isInteger(v)) throw wrongType(param, 'an integer', v);
  if (v < min)
    throw badRequest(
      `Invalid '${param}': ${integer ? 'integer' : 'decimal'} below minimum value. Expected a value >= ${min}, but got ${v} instead.`,
      param,
      integer ? 'integer_below_min_value' : 'decimal_below_min_value',
    );
  if (v > max)
    throw badRequest(
      `Invalid '${param}': ${integer ? 'integer' : 'decimal'} above maximum value. Expected a value <= ${max}, but got ${v} instead.`,
      param,
      integer ? 'integer_above_max_value' : 'decimal_above_max_value',
    );
  return v;
}

function messageContent(content: unknown, i: number): string {
  const param = `messages[${i}].content`;
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw wrongType(param, 'a string or an array of content parts', content);
  return content
    .map((part, j) => {
      const p = part as { type?: unknown; text?: unknown };
      if (typeof part !== 'object' || part === null || p.type !== 'text' || typeof p.text !== 'string') {
        throw badRequest(
          `Invalid '${param}[${j}]': only text content parts ({"type":"text","text":…}) are supported.`,
          `${param}[${j}]`,
          'invalid_value',
        );
      }
      return p.text;
    })
    .join('');
}

function parseMessages(value: unknown): ChatMessage[] {
  if (value === undefined) throw missing('messages');
  if (!Array.isArray(value)) throw wrongType('messages', 'an array', value);
  if (value.length === 0)
    throw badRequest(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  return value.map((m, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw wrongType(`messages[${i}]`, 'an object', m);
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (role === undefined) throw missing(`messages[${i}].role`);
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw badRequest(
        `Invalid value for 'messages[${i}].role': expected one of ${[...ROLES].join(', ')}.`,
        `messages[${i}].role`,
        'invalid_value',
      );
    }
    return { role, content: messageContent(content, i) };
  });
}

function parsePrompt(value: unknown): string {
  if (value === undefined) throw missing('prompt');
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  if (Array.isArray(value))
    throw badRequest(
      "Invalid 'prompt': this server accepts a single prompt (a string or an array of one string).",
      'prompt',
      'invalid_value',
    );
  throw wrongType('prompt', 'a string', value);
}

function parseStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) {
    if (value.length > 4)
      throw badRequest("Invalid 'stop': array too long. Expected an array with maximum length 4.", 'stop', 'array_above_max_length');
    return value.filter((s) => s.length > 0);
  }
  throw wrongType('stop', 'a string or an array of strings', value);
}

/** Validates the body; `maxTokens` stays undefined when the client left it to us. */
export function parseGenerateBody(kind: 'chat' | 'completion', body: Record<string, unknown>): ParsedRequest {
  const model = body.model;
  if (model === undefined) throw missing('model');
  if (typeof model !== 'string') throw wrongType('model', 'a string', model);
  const messages = kind === 'chat' ? parseMessages(body.messages) : undefined;
  const prompt = kind === 'completion' ? parsePrompt(body.prompt) : undefined;
  const stream = body.stream ?? false;
  if (typeof stream !== 'boolean' && stream !== null) throw wrongType('stream', 'a boolean', stream);
  let includeUsage = false;
  let continuousUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (stream !== true)
      throw badRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', 'invalid_value');
    const so = body.stream_options as { include_usage?: unknown; continuous_usage_stats?: unknown };
    if (typeof so !== 'object' || Array.isArray(so)) throw wrongType('stream_options', 'an object', so);
    if (so.include_usage !== undefined && typeof so.include_usage !== 'boolean')
      throw wrongType('stream_options.include_usage', 'a boolean', so.include_usage);
    includeUsage = so.include_usage === true;
    if (so.continuous_usage_stats !== undefined && typeof so.continuous_usage_stats !== 'boolean')
      throw wrongType('stream_options.continuous_usage_stats', 'a boolean', so.continuous_usage_stats);
    // As vLLM: continuous usage only together with include_usage.
    continuousUsage = includeUsage && so.continuous_usage_stats === true;
  }
  const n = optionalNumber(body, 'n', 1, 1, true); // one choice per request: the gateway fans out if needed
  void n;
  // max_completion_tokens is the newer name in chat; either is accepted.
  const tokenParam =
    kind === 'chat' && body.max_completion_tokens !== undefined && body.max_completion_tokens !== null
      ? 'max_completion_tokens'
      : 'max_tokens';
  const maxTokens = optionalNumber(body, tokenParam, 1, Number.MAX_SAFE_INTEGER, true);
  optionalNumber(body, 'presence_penalty', -2, 2);
  optionalNumber(body, 'frequency_penalty', -2, 2);
  return {
    kind,
    model,
    messages,
    prompt,
    maxTokens,
    temperature: optionalNumber(body, 'temperature', 0, 2),
    topP: optionalNumber(body, 'top_p', 0, 1),
    stop: parseStop(body.stop),
    seed: optionalNumber(body, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true),
    stream: stream === true,
    includeUsage,
    continuousUsage,
  };
}
