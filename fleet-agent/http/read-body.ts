// Reads a JSON request body with a size limit (contracts/body-reader.ts). Over the limit the
// answer is 413 (HTTP's "Content Too Large", which the OpenAI clients surface as an APIError with
// status 413) in OpenAI's error shape; the rest of the body is drained, so the client reads it.
import type { IncomingMessage } from 'node:http';
import { BodyIdleError, BodyTooLargeError, readCappedBody } from '../../contracts/body-reader.js';
import { BODY_TOO_LARGE_CODE, STATUS_BODY_TOO_LARGE } from '../../contracts/openai-error.js';
import { MAX_JSON_DEPTH, jsonNestingOver } from '../../contracts/json-depth.js';
import { HttpError, badRequest } from './respond.js';

function tooLarge(limit: number): HttpError {
  return new HttpError(
    STATUS_BODY_TOO_LARGE,
    `Request body too large: the limit is ${limit} bytes.`,
    'invalid_request_error',
    null,
    BODY_TOO_LARGE_CODE.agent,
    { connection: 'close' },
  );
}

/** The body; a stall longer than `idleMs` is a 408 that closes the connection. */
export async function readBody(req: IncomingMessage, limit: number, idleMs?: number): Promise<Buffer> {
  try {
    return await readCappedBody(req, limit, 'drain', idleMs);
  } catch (e) {
    if (e instanceof BodyIdleError)
      throw new HttpError(408, `The request body stalled for ${e.idleMs} ms.`, 'invalid_request_error', null, 'request_timeout', {
        connection: 'close',
      });
    throw e instanceof BodyTooLargeError ? tooLarge(limit) : e;
  }
}

/** Parses a JSON object body; anything else is a 400 that says what was wrong. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw badRequest('The request body is empty; expected a JSON object.', null, 'invalid_json');
  if (jsonNestingOver(body)) throw badRequest(`The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels.`, null, 'json_too_deep');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest(`We could not parse the JSON body of your request: ${(e as Error).message}`, null, 'invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  return value as Record<string, unknown>;
}
