// Small HTTP helpers shared by the ARM router, control API and operation endpoints.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readCappedBody } from '../../contracts/body-reader.js';
import { ArmError } from './errors.js';
import type { Json } from './store.js';

const MAX_BODY = 16 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  try {
    return await readCappedBody(req, MAX_BODY);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new ArmError(413, 'RequestEntityTooLarge', 'The request content is too large.');
    throw e;
  }
}

/** The request body as an ARM JSON document (`{}` when empty). */
export async function readJson(req: IncomingMessage): Promise<Json> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  try {
    const parsed = JSON.parse(raw.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    return parsed;
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
}

export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.statusCode = status;
    res.setHeader('content-length', '0');
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const armErr =
    err instanceof ArmError ? err : new ArmError(500, 'InternalServerError', `The local cloud failed: ${(err as Error)?.stack ?? err}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, armErr.status, armErr.toBody(), { 'x-ms-failure-cause': armErr.status >= 500 ? 'service' : 'gateway', ...armErr.headers });
}

/** `https://host:port` as the client addressed us, for URLs we hand back (nextLink, LRO). */
export function baseUrlOf(req: IncomingMessage): string {
  return `https://${req.headers.host ?? '127.0.0.1'}`;
}
