// POSTs to a fleet agent over node:http with a keep-alive pool. fetch() would do, but node:http
// is measurably cheaper per request and exposes the socket phases we need to tell "never
// reached the agent" (safe to retry elsewhere) from "the agent is working on it" (not safe).
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

export type UpstreamFailure = 'unreachable' | 'reset' | 'timeout' | 'aborted';

/** A failed agent call. `retryable` is true only when the agent cannot have produced an answer the client saw. */
export class UpstreamError extends Error {
  constructor(readonly kind: UpstreamFailure, message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface AgentAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: IncomingMessage;
}

/** What a call needs of an abort signal: a web AbortSignal is one; node-host.ts has a lighter one. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface AgentCallOptions {
  connectMs: number;
  firstByteMs: number;
  signal?: CancelSignal;
}

const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

interface Target {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
}

export class AgentClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 10_000 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: Infinity });
  // Parsed agent URLs: a handful of replicas and paths, asked for on every request.
  private readonly targets = new Map<string, Target | undefined>();

  private target(address: string, path: string): Target | undefined {
    const key = address + ' ' + path;
    if (this.targets.has(key)) return this.targets.get(key);
    let t: Target | undefined;
    try {
      const url = new URL(path, address.endsWith('/') ? address : address + '/');
      t = { protocol: url.protocol, hostname: url.hostname, port: url.port, path: url.pathname + url.search };
    } catch {
      t = undefined;
    }
    if (this.targets.size >= 1024) this.targets.clear(); // replicas come and go; never grow without bound
    this.targets.set(key, t);
    return t;
  }

  post(address: string, path: string, body: Buffer, headers: Record<string, string>, opts: AgentCallOptions): Promise<AgentAnswer> {
    return new Promise((resolve, reject) => {
      const url = this.target(address, path);
      if (!url) {
        reject(new UpstreamError('unreachable', `bad agent address ${address}`, true));
        return;
      }
      const secure = url.protocol === 'https:';
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: UpstreamError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        req.destroy();
        reject(err);
      };
      const req = (secure ? https : http).request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: url.path,
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) },
        },
        (res) => {
          if (settled) {
            res.destroy();
            return;
          }
          settled = true;
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: res });
        },
      );
      const onAbort = () => fail(new UpstreamError('aborted', 'request aborted', false));
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (socket) => {
        // A fresh socket must connect quickly; once connected (or reused) the agent owns the clock.
        const startFirstByte = () => {
          clearTimeout(timer);
          timer = setTimeout(() => fail(new UpstreamError('timeout', `agent sent nothing for ${opts.firstByteMs} ms`, false)), opts.firstByteMs);
        };
        if (socket.connecting) {
          timer = setTimeout(() => fail(new UpstreamError('unreachable', `connect timeout after ${opts.connectMs} ms`, true)), opts.connectMs);
          socket.once(secure ? 'secureConnect' : 'connect', startFirstByte);
        } else startFirstByte();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // Errors before any response byte: the agent never produced an answer. A reset on a reused
        // keep-alive socket is the classic stale-connection race and is equally safe to retry.
        const code = err.code ?? '';
        fail(new UpstreamError(REFUSED.has(code) ? 'unreachable' : 'reset', `${code || err.name}: ${err.message}`, true));
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** Reads a whole answer, failing as `reset` if the agent breaks off or goes silent for idleMs. */
export function readAll(res: IncomingMessage, idleMs: number, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer = setTimeout(onIdle, idleMs);
    function onIdle() {
      res.destroy();
      reject(new UpstreamError('timeout', `agent silent for ${idleMs} ms mid-answer`, false));
    }
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        res.destroy();
        reject(new UpstreamError('reset', 'agent answer too large', false));
        return;
      }
      chunks.push(c);
      timer.refresh();
    });
    res.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    res.on('error', (e) => {
      clearTimeout(timer);
      reject(new UpstreamError('reset', `agent answer broke: ${e.message}`, true));
    });
    res.on('aborted', () => {
      clearTimeout(timer);
      reject(new UpstreamError('reset', 'agent answer broke', true));
    });
  });
}

/** Throws away an answer we will not use, keeping the keep-alive socket reusable. */
export function discard(res: IncomingMessage): void {
  res.on('error', () => {});
  res.resume();
}
