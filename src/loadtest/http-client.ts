// The request sender: node:http(s) with one keep-alive agent, no client library in between,
// because the generator must not be the bottleneck (bench/loadgen.mjs: ≥ 2,000 req/s on 2 cores).
// Each call resolves to an Outcome and never rejects: every failure is a counted error class.
import http from 'node:http';
import https from 'node:https';
import { HEADER_CACHE, HEADER_SIMULATED } from '../../contracts/headers.js';
import type { CacheOutcome, ChatRequest, Endpoint, ErrorClass, Outcome } from './types.js';

export interface SenderOptions {
  timeoutMs: number;
  /** Upper bound on open connections; requests beyond it queue in the agent (and that wait counts). */
  maxSockets: number;
  /** ms since the start of the run, monotonic. */
  now: () => number;
  /** Trusted CA for https endpoints with a private certificate (the local platform). */
  ca?: string;
}

export interface Sender {
  send(body: ChatRequest, scheduledAt: number): Promise<Outcome>;
  getJson(path: string): Promise<{ status: number; body: unknown }>;
  /** Ends every request still in flight (each resolves as a timeout) and closes connections. */
  close(): void;
}

export function createSender(endpoint: Endpoint, opts: SenderOptions): Sender {
  const url = new URL(`${endpoint.baseUrl.replace(/\/+$/, '')}/`);
  const isHttps = url.protocol === 'https:';
  const mod = isHttps ? https : http;
  const agent = isHttps
    ? new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets, ca: opts.ca })
    : new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  const base = { agent, hostname: url.hostname, port: url.port || (isHttps ? 443 : 80) };
  const chatPath = `${url.pathname}chat/completions`;
  const auth = `Bearer ${endpoint.key}`;
  const now = opts.now;
  // One sweep for all request timeouts instead of a timer per request (thousands a second).
  // Every request has the same timeout, so deadlines arrive in send order: a FIFO suffices.
  const deadlines: Array<{ at: number; expire: () => void }> = [];
  let head = 0;
  const sweep = setInterval(
    () => {
      const t = now();
      while (head < deadlines.length && deadlines[head].at <= t) deadlines[head++].expire();
      if (head > 4096 && head * 2 > deadlines.length) {
        deadlines.splice(0, head);
        head = 0;
      }
    },
    Math.min(100, opts.timeoutMs / 4),
  );
  sweep.unref();

  function send(body: ChatRequest, scheduledAt: number): Promise<Outcome> {
    const payload = JSON.stringify(body);
    const stream = body.stream === true;
    const sentAt = now();
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const deadline = { at: sentAt + opts.timeoutMs, expire: NOOP };
      const finish = (fields: Partial<Outcome>) => {
        if (settled) return;
        settled = true;
        // Drop the closure over req/res now, not when the sweep reaches this deadline.
        deadline.expire = NOOP;
        const end = now();
        resolve({
          model: body.model,
          scheduledAt,
          sentAt,
          latencyMs: end - scheduledAt,
          ok: !fields.error,
          completionTokens: 0,
          ...fields,
        });
      };
      const fail = (cls: ErrorClass, key: string, message: string, status?: number) =>
        finish({ error: { class: cls, key, message }, status });
      const req = mod.request(
        {
          ...base,
          method: 'POST',
          path: chatPath,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: auth },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const cacheHeader = res.headers[HEADER_CACHE];
          const cache =
            cacheHeader === 'hit' || cacheHeader === 'miss' || cacheHeader === 'bypass' ? (cacheHeader as CacheOutcome) : undefined;
          const simulated = res.headers[HEADER_SIMULATED] === 'true' || undefined;
          // Cut mid-answer: a broken stream, or a lost connection for a plain answer. (A timeout
          // has already settled the outcome before it destroys the request.)
          const cut = (key: string, message: string) =>
            stream ? fail('streamBroken', 'stream_broken', message, status) : fail('connection', key, message, status);
          res.on('error', (e) => cut(connKey(e), e.message));
          res.on('aborted', () => cut('ECONNRESET', 'connection closed mid-answer'));
          if (status >= 400) {
            res.resume();
            res.on('end', () => fail(status >= 500 ? 'http5xx' : 'http4xx', `http_${status}`, `HTTP ${status}`, status));
            return;
          }
          res.setEncoding('utf8');
          if (stream) readStream(res, scheduledAt, status, cache, (f) => finish({ ...f, simulated }), fail);
          else {
            let text = '';
            res.on('data', (c: string) => (text += c));
            res.on('end', () => {
              const tokens = completionTokens(text);
              if (tokens === undefined) fail('badResponse', 'bad_response', 'the answer is not a chat completion', status);
              else finish({ status, cache, completionTokens: tokens, promptTokens: promptTokens(text), simulated });
            });
          }
        },
      );
      deadline.expire = () => {
        fail('timeout', 'timeout', `no complete answer within ${opts.timeoutMs} ms`);
        req.destroy();
      };
      deadlines.push(deadline);
      req.on('error', (e) => fail('connection', connKey(e), e.message));
      req.end(payload);
    });
  }

  function readStream(
    res: http.IncomingMessage,
    scheduledAt: number,
    status: number,
    cache: CacheOutcome | undefined,
    finish: (f: Partial<Outcome>) => void,
    fail: (c: ErrorClass, k: string, m: string, s?: number) => void,
  ) {
    let buffer = '';
    let tokens = 0;
    let usageTokens: number | undefined;
    let usagePrompt: number | undefined;
    let firstAt: number | undefined;
    let done = false;
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const nl = buffer.indexOf('\n');
        if (nl < 0) break;
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') {
          done = true;
          continue;
        }
        try {
          const evt = JSON.parse(data) as {
            choices?: Array<{ delta?: { content?: string } }>;
            usage?: { completion_tokens?: number; prompt_tokens?: number };
          };
          if (evt.choices?.[0]?.delta?.content) {
            tokens += 1;
            firstAt ??= now();
          }
          if (typeof evt.usage?.completion_tokens === 'number') usageTokens = evt.usage.completion_tokens;
          if (typeof evt.usage?.prompt_tokens === 'number') usagePrompt = evt.usage.prompt_tokens;
        } catch {
          /* a non-JSON data line is the server's problem, reported below only if the stream never ends well */
        }
      }
    });
    res.on('end', () => {
      if (!done) return fail('streamBroken', 'stream_broken', 'the stream ended without [DONE]', status);
      const end = now();
      const n = usageTokens ?? tokens;
      finish({
        status,
        cache,
        completionTokens: n,
        promptTokens: usagePrompt,
        ttftMs: firstAt === undefined ? undefined : firstAt - scheduledAt,
        tpotMs: firstAt !== undefined && tokens > 1 ? (end - firstAt) / (tokens - 1) : undefined,
      });
    });
  }

  async function getJson(path: string): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = mod.request(
        { ...base, method: 'GET', path: url.pathname + path.replace(/^\//, ''), headers: { authorization: auth } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              /* leave as text: the caller reports what it got */
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  return {
    send,
    getJson,
    close: () => {
      clearInterval(sweep);
      while (head < deadlines.length) deadlines[head++].expire();
      agent.destroy();
    },
  };
}

const NOOP = () => undefined;

/**
 * Completion tokens of a non-streamed answer. A full JSON.parse of every answer was a tenth of
 * the generator's CPU at 2,000 req/s (bench/loadgen.mjs); a chat completion is recognised by its
 * shape instead, and `usage` read with one regex.
 */
function completionTokens(text: string): number | undefined {
  const t = text.trimStart();
  if (!t.startsWith('{') || !t.trimEnd().endsWith('}') || !t.includes('"choices"')) return undefined;
  const m = /"completion_tokens"\s*:\s*(\d+)/.exec(t);
  return m ? Number(m[1]) : 0;
}

/** `usage.prompt_tokens` of a chat completion already recognised by completionTokens. */
function promptTokens(text: string): number | undefined {
  const m = /"prompt_tokens"\s*:\s*(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function connKey(e: Error): string {
  return (e as NodeJS.ErrnoException).code ?? 'connection';
}
