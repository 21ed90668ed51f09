// Reading a request body under a size cap, for every HTTP server of ours (gateway, agent, local
// cloud). Buffering stops at the cap, so a huge body cannot exhaust memory; each server turns
// BodyTooLargeError into its own answer (OpenAI's 413 shape, or Azure's for the local cloud).
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The client sent nothing for `idleMs` while its body was being read (a trickled upload). */
export class BodyIdleError extends Error {
  constructor(readonly idleMs: number) {
    super(`no request body bytes for ${idleMs} ms`);
    this.name = 'BodyIdleError';
  }
}

/**
 * What happens to the rest of a body over the cap. `drain` reads and discards it, so the client
 * goes on to read the answer rather than a reset; `stop` pauses the request, for a server that
 * answers at once with `connection: close` rather than read on.
 */
export type Overflow = 'drain' | 'stop';

/** True when a Content-Length value already says the body is over `limit`. */
export function declaredOver(contentLength: string | null | undefined, limit: number): boolean {
  const declared = Number(contentLength);
  return Number.isFinite(declared) && declared > limit;
}

/**
 * The whole body, or BodyTooLargeError once it is over `limit` bytes (declared or streamed), or
 * BodyIdleError when `idleMs` (if given) passes without a byte arriving.
 */
export function readCappedBody(req: IncomingMessage, limit: number, overflow: Overflow = 'drain', idleMs?: number): Promise<Buffer> {
  if (declaredOver(req.headers['content-length'], limit)) {
    if (overflow === 'drain') req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    let idle: NodeJS.Timeout | undefined;
    const fail = (err: Error) => {
      clearTimeout(idle);
      if (failed) return;
      failed = true;
      chunks.length = 0;
      reject(err);
    };
    const armIdle = () => {
      if (idleMs === undefined) return;
      clearTimeout(idle);
      idle = setTimeout(() => {
        req.removeAllListeners('data');
        req.pause();
        fail(new BodyIdleError(idleMs));
      }, idleMs);
    };
    armIdle();
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      armIdle();
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      if (overflow === 'stop') {
        req.removeAllListeners('data');
        req.pause();
      }
      fail(new BodyTooLargeError(limit));
    });
    req.on('end', () => {
      clearTimeout(idle);
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new Error('client aborted the request')));
  });
}

/** The same for a web body stream; over the cap the stream is cancelled. */
export async function readCappedStream(body: ReadableStream<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
