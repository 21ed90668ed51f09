// Reads a JSON request body with a size limit. Over the limit the answer is 413 (HTTP's "Content
// Too Large", which the OpenAI clients surface as an APIError with status 413) in OpenAI's error
// shape; we stop buffering at once so a huge body cannot exhaust memory.
import type { IncomingMessage } from 'node:http';
import { HttpError, badRequest } from './respond.js';

export function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body too large: the limit is ${limit} bytes.`, 'invalid_request_error', null, 'request_too_large', {
    connection: 'close',
  });
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain what the client sends so it reads our answer rather than a reset
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(e);
      }
    });
  });
}

/** Parses a JSON object body; anything else is a 400 that says what was wrong. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw badRequest('The request body is empty; expected a JSON object.', null, 'invalid_json');
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
