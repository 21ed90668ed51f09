// Small request/response helpers shared by the data planes. Kept free of any one service's error
// shape: each plane renders its own envelope, because Key Vault, Log Analytics, Retail Prices
// and IMDS all differ.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCappedBody } from '../../contracts/body-reader.js';

/** Bodies are small JSON documents; anything over this is refused rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The body as text; BodyTooLargeError (contracts/body-reader.ts) over MAX_BODY_BYTES. */
export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readCappedBody(req, MAX_BODY_BYTES)).toString('utf8');
}

/** Parses a JSON body; `undefined` for an empty body, `SyntaxError` thrown for a malformed one. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return undefined;
  return JSON.parse(text) as unknown;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) } : { 'content-length': 0 }),
    ...headers,
  });
  res.end(text);
}

/** The bearer token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1] : undefined;
}

/** A GUID from the core's seeded generator, so request ids replay with the seed. */
export function guid(random: () => number): string {
  const hex = randomHex(random, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}
