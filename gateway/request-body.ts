// Reads and parses a JSON request body under the size cap. Hosts that already buffered the body
// (the node:http host) hand it over as `bufferedBody`, so it is not streamed twice.
import { BodyIdleError, BodyTooLargeError, declaredOver, readCappedStream } from '../contracts/body-reader.js';
import { BODY_TOO_LARGE_CODE, STATUS_BODY_TOO_LARGE } from '../contracts/openai-error.js';
import { MAX_JSON_DEPTH, jsonNestingOver } from '../contracts/json-depth.js';
import { InvalidRequest, parseGenerateBody, type ParsedRequest } from '../contracts/chat-request.js';
import { notRepresentable as sharedNotRepresentable } from '../contracts/request-checks.js';
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

/**
 * Checks the chat request as OpenAI does (contracts/chat-request.ts, the schema the agents apply
 * too), before it is routed or keyed: a request the agent would refuse is refused here, once.
 */
export function validateChatBody(body: Record<string, unknown>): ParsedRequest {
  try {
    return parseGenerateBody('chat', body);
  } catch (e) {
    if (e instanceof InvalidRequest) throw badRequest(e.message, e.param ?? undefined, e.code);
    throw e;
  }
}

export const notRepresentable = (param: string) => {
  const e = sharedNotRepresentable(param);
  return badRequest(e.message, param, e.code);
};
