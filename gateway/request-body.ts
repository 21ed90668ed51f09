// Reads and parses a JSON request body under the size cap. Hosts that already buffered the body
// (the node:http host) hand it over as `bufferedBody`, so it is not streamed twice.
import { BodyTooLargeError, declaredOver, readCappedStream } from '../contracts/body-reader.js';
import { BODY_TOO_LARGE_CODE, STATUS_BODY_TOO_LARGE } from '../contracts/openai-error.js';
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

export const tooLargeMessage = (maxBytes: number) => `request body exceeds ${maxBytes} bytes`;

export async function readBodyBytes(req: GatewayRequest, maxBytes: number): Promise<Buffer> {
  const attached = req.bufferedBody;
  if (attached) {
    if (attached.length > maxBytes) throw tooLarge(maxBytes);
    return attached;
  }
  if (declaredOver(req.headers.get('content-length'), maxBytes)) throw tooLarge(maxBytes);
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
}
