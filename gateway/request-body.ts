// Reads and parses a JSON request body under the size cap. Hosts that already buffered the body
// (the node:http host) hand it over as `bufferedBody`, so it is not streamed twice.
import { BodyIdleError, BodyTooLargeError, declaredOver, readCappedStream } from '../contracts/body-reader.js';
import { BODY_TOO_LARGE_CODE, STATUS_BODY_TOO_LARGE } from '../contracts/openai-error.js';
import { MAX_JSON_DEPTH, jsonNestingOver } from '../contracts/json-depth.js';
import { GatewayError, badRequest } from './errors.js';
import type { GatewayRequest } from './gateway-request.js';

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError({
    status: STATUS_BODY_TOO_LARGE,
    type: 'invalid_request_error',
    code: BODY_TOO_LARGE_CODE.gateway,
    message: tooLargeMessage(maxBytes),
  });
}

/** A body trickled slower than the idle limit: HTTP's 408, and the host closes the connection. */
function bodyIdle(idleMs: number): GatewayError {
  return new GatewayError({
    status: 408,
    type: 'invalid_request_error',
    code: 'request_timeout',
    message: `the request body stalled for ${idleMs} ms`,
  });
}

export const tooLargeMessage = (maxBytes: number) => `request body exceeds ${maxBytes} bytes`;

export async function readBodyBytes(req: GatewayRequest, maxBytes: number): Promise<Buffer> {
  const attached = req.bufferedBody;
  if (attached) {
    if (attached.length > maxBytes) throw tooLarge(maxBytes);
    return attached;
  }
  if (declaredOver(req.headers.get('content-length'), maxBytes)) throw tooLarge(maxBytes);
  if (req.readBody) {
    try {
      return await req.readBody(maxBytes);
    } catch (e) {
      if (e instanceof BodyTooLargeError) throw tooLarge(maxBytes);
      if (e instanceof BodyIdleError) throw bodyIdle(e.idleMs);
      throw e;
    }
  }
  if (!req.body) return Buffer.alloc(0);
  try {
    return await readCappedStream(req.body, maxBytes);
  } catch (e) {
    throw e instanceof BodyTooLargeError ? tooLarge(maxBytes) : e;
  }
}

/** The body as a JSON object (chat requests are objects), or a 400 saying what is wrong. */
export async function readJsonObject(req: GatewayRequest, maxBytes: number): Promise<Record<string, unknown>> {
  return parseJsonObject(await readBodyBytes(req, maxBytes));
}

export function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  if (bytes.length === 0) throw badRequest('the request body is empty; expected a JSON object', undefined, 'invalid_json');
  if (jsonNestingOver(bytes))
    throw badRequest(`the request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`, undefined, 'json_too_deep');
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`, undefined, 'invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest('the request body must be a JSON object', undefined, 'invalid_json');
  return value as Record<string, unknown>;
}

/** The minimal shape every chat request must have before it is routed. */
export function validateChatBody(body: Record<string, unknown>): void {
  if (typeof body.model !== 'string' || body.model.length === 0)
    throw badRequest('`model` is required and must be a string', 'model', 'missing_model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw badRequest('`messages` must be a non-empty array', 'messages');
  for (const [i, m] of body.messages.entries()) {
    if (typeof m !== 'object' || m === null || typeof (m as { role?: unknown }).role !== 'string')
      throw badRequest(`messages[${i}] must be an object with a string \`role\``, `messages[${i}]`);
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') throw badRequest('`stream` must be a boolean', 'stream');
  if (body.n !== undefined && body.n !== 1) throw badRequest('only n = 1 is supported', 'n');
  // Checked before routing and keying: JSON.parse turns 1e400 into Infinity, which the router
  // would ignore and the cache key (like the agent, after re-serialisation) would see as null.
  for (const name of ANSWER_NUMBERS) {
    const v = body[name];
    if (typeof v === 'number' && !Number.isFinite(v)) throw notRepresentable(name);
  }
}

/** Numeric parameters that change the answer. Other fields are checked when the cache key is computed. */
const ANSWER_NUMBERS = ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'seed', 'presence_penalty', 'frequency_penalty'];

export const notRepresentable = (param: string) =>
  badRequest(`\`${param}\` is a number JSON cannot represent (out of range)`, param, 'invalid_value');
