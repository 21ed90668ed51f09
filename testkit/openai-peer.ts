// A small real OpenAI-shaped HTTP server for the loadtest's tests (until the fleet agent's `sim`
// engine can be started from tests): GET /v1/models, POST /v1/chat/completions (JSON or SSE),
// Bearer auth, x-gpuarb-cache like the gateway's (hit on an exact repeat), and knobs for
// latency, stalls and failures. It counts every request it receives.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PeerOptions {
  key: string;
  models?: string[];
  /** Base latency of every answer. */
  latencyMs?: number;
  /** Tokens per answer (streamed as that many chunks). */
  tokens?: number;
}

export interface OpenAiPeer {
  /** The OpenAI base URL, ending in /v1. */
  baseUrl: string;
  counts: { models: number; chat: number; unauthorized: number };
  /** Holds every answer (in flight or arriving) until `ms` from now. */
  stall(ms: number): void;
  setLatency(ms: number): void;
  /** Answers the next n chat requests with this HTTP status. */
  failNext(n: number, status: number): void;
  /** Cuts the next n streamed answers after their first chunk (the connection is destroyed). */
  breakNextStreams(n: number): void;
  /** Called with the running count on every chat request (a trigger tied to the traffic). */
  onChat?: (count: number) => void;
  close(): Promise<void>;
}

export async function startOpenAiPeer(opts: PeerOptions): Promise<OpenAiPeer> {
  const models = opts.models ?? ['phi3-mini', 'mixtral-8x7b', 'llama3-70b'];
  const tokens = opts.tokens ?? 5;
  let latencyMs = opts.latencyMs ?? 0;
  let stallUntil = 0;
  let failures = { n: 0, status: 500 };
  let streamsToBreak = 0;
  const seen = new Set<string>();
  const counts = { models: 0, chat: 0, unauthorized: 0 };

  const answerAt = (arrived: number) => Math.max(arrived + latencyMs, stallUntil);
  const later = (at: number, f: () => void) => {
    const wait = at - Date.now();
    if (wait <= 0) f();
    else setTimeout(f, wait);
  };

  const server = createServer((req, res) => {
    const arrived = Date.now();
    if (req.headers.authorization !== `Bearer ${opts.key}`) {
      counts.unauthorized += 1;
      req.resume();
      return json(res, 401, { error: { message: 'invalid key', type: 'invalid_request_error' } });
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      counts.models += 1;
      return json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'gpuarb' })) });
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      counts.chat += 1;
      peer.onChat?.(counts.chat);
      return void readBody(req).then((text) => {
        if (failures.n > 0) {
          failures.n -= 1;
          return later(answerAt(arrived), () => json(res, failures.status, { error: { message: 'injected failure' } }));
        }
        const body = JSON.parse(text) as { model: string; stream?: boolean; messages: unknown; max_tokens?: number };
        const key = JSON.stringify([body.model, body.messages, body.max_tokens]);
        const cache = seen.has(key) ? 'hit' : 'miss';
        seen.add(key);
        later(answerAt(arrived), () => (body.stream ? stream(res, body.model, cache) : complete(res, body.model, cache)));
      });
    }
    json(res, 404, { error: { message: 'not found' } });
  });
  // Keep-alive like a real server, so the generator's agent reuses connections.
  server.keepAliveTimeout = 30_000;

  function complete(res: ServerResponse, model: string, cache: string) {
    json(
      res,
      200,
      {
        id: 'chatcmpl-peer',
        object: 'chat.completion',
        created: 0,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok '.repeat(tokens).trim() }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens },
      },
      { 'x-gpuarb-cache': cache },
    );
  }

  function stream(res: ServerResponse, model: string, cache: string) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-gpuarb-cache': cache });
    if (streamsToBreak > 0) {
      streamsToBreak -= 1;
      res.write(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: 'ok ' } }] })}\n\n`,
      );
      // Flushed first, so the client has a started stream when the connection drops.
      return void res.socket?.end(() => res.socket?.destroy());
    }
    for (let i = 0; i < tokens; i++)
      res.write(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: 'ok ' } }] })}\n\n`,
      );
    res.write(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model, choices: [], usage: { prompt_tokens: 10, completion_tokens: tokens } })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const peer: OpenAiPeer = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    counts,
    stall: (ms) => (stallUntil = Date.now() + ms),
    setLatency: (ms) => (latencyMs = ms),
    failNext: (n, status) => (failures = { n, status }),
    breakNextStreams: (n) => (streamsToBreak = n),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return peer;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
