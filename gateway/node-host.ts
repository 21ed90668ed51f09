// Hosts the handler on node:http. Kept lean because the cache-hit path is mostly this adapter:
// the request body is buffered once (it is needed whole anyway) and handed over without
// re-streaming, the handler gets a GatewayRequest over node's own header object instead of an
// undici Request, buffered answers are written in one call from the bytes the handler holds
// (answer.ts), and streamed answers are pumped with backpressure.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyTooLargeError, readCappedBody } from '../contracts/body-reader.js';
import { HEADER_CACHE, HEADER_REQUEST_ID } from '../contracts/headers.js';
import { BODY_TOO_LARGE_CODE, STATUS_BODY_TOO_LARGE, errorTypeForStatus, openAIErrorJson } from '../contracts/openai-error.js';
import { requestIdOrNew } from '../contracts/request-id.js';
import { tooLargeMessage } from './request-body.js';
import type { GatewayRequest, HeaderReader } from './gateway-request.js';
import type { Handler } from './handler.js';
import type { CancelSignal } from './agent-call.js';
import type { Logger } from './log.js';

export interface NodeHostOptions {
  maxBodyBytes: number;
  log: Logger;
}

export function createNodeServer(handle: Handler, opts: NodeHostOptions): http.Server {
  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    serve(handle, opts, req, res).catch((err) => {
      opts.log.error('host failure', { err });
      if (!res.headersSent) sendError(res, 500, 'internal error', 'internal_error');
      else res.destroy();
    });
  });
  server.headersTimeout = 30_000;
  return server;
}

async function serve(handle: Handler, opts: NodeHostOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    body = await readCapped(req, opts.maxBodyBytes);
    if (!body) {
      // Over the cap: answer now and close the connection rather than read the rest.
      res.setHeader('connection', 'close');
      return sendError(res, STATUS_BODY_TOO_LARGE, tooLargeMessage(opts.maxBodyBytes), BODY_TOO_LARGE_CODE.gateway);
    }
  }
  const clientGone = new ClientGone();
  res.once('close', () => {
    if (!res.writableFinished) clientGone.fire();
  });
  const target = req.url ?? '/';
  // Origin form only ("/path?query"): absolute and authority forms are for proxies, not us.
  if (!target.startsWith('/')) return sendError(res, 400, 'malformed request target', 'invalid_request');
  const request: GatewayRequest = {
    method,
    url: `http://gateway${target}`,
    headers: new NodeHeaders(req.headers),
    signal: clientGone,
    bufferedBody: body,
  };
  const answer = await handle(request);
  const headers = answer.headers;
  if (Buffer.isBuffer(answer.body)) {
    headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(method === 'HEAD' ? undefined : answer.body);
    return;
  }
  res.writeHead(answer.status, headers);
  res.flushHeaders();
  const reader = answer.body.getReader();
  const onClose = () => void reader.cancel().catch(() => {});
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value))
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    res.off('close', onClose);
  }
}

/** Fires once if the client goes away before its answer is written. An AbortController per request cost more than the rest of this adapter. */
class ClientGone implements CancelSignal {
  aborted = false;
  private listeners: (() => void)[] = [];
  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }
  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }
  fire(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const listener of this.listeners.splice(0)) listener();
  }
}

/** Node's parsed headers (lower-case keys, repeats already joined) read the way web Headers are. */
class NodeHeaders implements HeaderReader {
  constructor(private readonly raw: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }
}

/** The body, or undefined when it is bigger than the cap. Rejects if the client goes away. */
async function readCapped(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  try {
    return await readCappedBody(req, max, 'stop');
  } catch (e) {
    if (e instanceof BodyTooLargeError) return undefined;
    throw e;
  }
}

function sendError(res: ServerResponse, status: number, message: string, code: string): void {
  const body = openAIErrorJson({ message, type: errorTypeForStatus(status), code });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    [HEADER_CACHE]: 'bypass',
    [HEADER_REQUEST_ID]: requestIdOrNew(res.req?.headers[HEADER_REQUEST_ID]),
  });
  res.end(body);
}
