// Hosts the handler on node:http. Kept lean because the cache-hit path is mostly this adapter:
// the request body is buffered once (it is needed whole anyway), when the handler asks for it
// after authenticating the caller, and handed over without re-streaming, the handler gets a GatewayRequest over node's own header object instead of an
// undici Request, buffered answers are written in one call from the bytes the handler holds
// (answer.ts), and streamed answers are pumped with backpressure.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readCappedBody } from '../contracts/body-reader.js';
import { HEADER_CACHE, HEADER_REQUEST_ID } from '../contracts/headers.js';
import { errorTypeForStatus, openAIErrorJson } from '../contracts/openai-error.js';
import {
  DEFAULT_BODY_IDLE_MS,
  DEFAULT_HEADERS_MS,
  DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS,
  DEFAULT_RECEIVE_MS,
  capUnauthenticatedConnections,
  slowClientServerOptions,
} from '../contracts/slow-clients.js';
import { requestIdOrNew } from '../contracts/request-id.js';
import type { GatewayRequest, HeaderReader } from './gateway-request.js';
import type { Handler } from './handler.js';
import type { CancelSignal } from './agent-call.js';
import type { Logger } from './log.js';

export interface NodeHostOptions {
  log: Logger;
  /** Slow-client bounds and the unauthenticated-connection cap (defaults: contracts/slow-clients.ts). */
  receiveMs?: number;
  headersMs?: number;
  bodyIdleMs?: number;
  maxUnauthenticatedConnections?: number;
}

export function createNodeServer(handle: Handler, opts: NodeHostOptions): http.Server {
  const timeouts = slowClientServerOptions({
    receiveMs: opts.receiveMs ?? DEFAULT_RECEIVE_MS,
    headersMs: opts.headersMs ?? DEFAULT_HEADERS_MS,
  });
  let markAuthenticated: (socket: Socket) => void = () => {};
  const server = http.createServer({ keepAliveTimeout: 65_000, ...timeouts }, (req, res) => {
    serve(handle, opts, req, res, markAuthenticated).catch((err) => {
      opts.log.error('host failure', { err });
      if (!res.headersSent) sendError(res, 500, 'internal error', 'internal_error');
      else res.destroy();
    });
  });
  markAuthenticated = capUnauthenticatedConnections(server, opts.maxUnauthenticatedConnections ?? DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS);
  return server;
}

async function serve(
  handle: Handler,
  opts: NodeHostOptions,
  req: IncomingMessage,
  res: ServerResponse,
  markAuthenticated: (socket: Socket) => void,
): Promise<void> {
  const method = req.method ?? 'GET';
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
    // The body is read only when the handler asks, after it has authenticated the caller.
    readBody: (max) => readCappedBody(req, max, 'stop', opts.bodyIdleMs ?? DEFAULT_BODY_IDLE_MS),
    authenticated: () => markAuthenticated(req.socket),
  };
  const answer = await handle(request);
  const headers = answer.headers;
  // A body left unread (a refusal before it, an overflow, a stall): close rather than wait for the rest.
  if (!req.complete) headers.connection = 'close';
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
