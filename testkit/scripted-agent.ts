// A minimal OpenAI-compatible upstream that speaks the fleet-agent contract (Bearer internal key,
// x-request-id, 503 + Retry-After while draining, SSE streams) and can be told to misbehave
// exactly when a test needs it: throttle (429), break a stream after some chunks, stall. It is a
// test peer for failure modes the real sim agent cannot be made to show on cue; the end-to-end
// tests use real agents (fleet-agent, sim engine).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEADER_USAGE } from '../contracts/headers.js';

export interface ScriptedBehaviour {
  /** Answer 503 + Retry-After as a draining agent does. */
  draining?: boolean;
  /** Answer 429. */
  throttle?: boolean;
  /** Delay before the answer starts. */
  delayMs?: number;
  /** Stream: destroy the connection after this many content chunks. */
  breakAfterChunks?: number;
  /** Stream: send the 200 headers, then drop the connection before any event. */
  breakBeforeFirstChunk?: boolean;
  /** Milliseconds between stream chunks. */
  chunkIntervalMs?: number;
  /** Words in every answer (one content chunk per word). */
  words?: number;
  /** Sent as x-gpuarb-usage on buffered answers (the real agent sends the body's usage there). */
  usageHeader?: string;
}

export interface SeenRequest {
  body: Record<string, unknown>;
  /** The bytes as they arrived. */
  raw: string;
  headers: http.IncomingHttpHeaders;
}

export interface ScriptedAgent {
  url: string;
  behaviour: ScriptedBehaviour;
  seen: SeenRequest[];
  /** Requests whose caller hung up before the answer was complete. */
  abandoned: number;
  stop(): Promise<void>;
}

export async function startScriptedAgent(name: string, key: string, behaviour: ScriptedBehaviour = {}): Promise<ScriptedAgent> {
  const seen: SeenRequest[] = [];
  const state: ScriptedAgent = { url: '', behaviour, seen, abandoned: 0, stop: async () => {} };
  const server = http.createServer((req, res) => {
    res.once('close', () => {
      if (!res.writableFinished) state.abandoned++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      void respond(JSON.parse(raw || '{}') as Record<string, unknown>, raw);
    });
    async function respond(body: Record<string, unknown>, raw: string) {
      const b = state.behaviour;
      if (req.headers.authorization !== `Bearer ${key}`) return json(401, { error: { message: 'bad key', type: 'authentication_error' } });
      seen.push({ body, raw, headers: req.headers });
      if (b.draining)
        return json(503, { error: { message: 'draining', type: 'service_unavailable', code: 'replica_draining' } }, { 'retry-after': '1' });
      if (b.throttle) return json(429, { error: { message: 'busy', type: 'rate_limit_error' } }, { 'retry-after': '1' });
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      const words = Array.from({ length: b.words ?? 5 }, (_, i) => `${name}-w${i} `);
      const id = `chatcmpl-${name}-${seen.length}`;
      const model = body.model as string;
      const usage = { prompt_tokens: 7, completion_tokens: words.length, total_tokens: 7 + words.length };
      if (body.stream !== true) {
        return json(
          200,
          {
            id,
            object: 'chat.completion',
            created: 1,
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: words.join('') }, finish_reason: 'stop' }],
            usage,
          },
          b.usageHeader === undefined ? {} : { [HEADER_USAGE]: b.usageHeader },
        );
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (b.breakBeforeFirstChunk) {
        res.flushHeaders();
        return void setTimeout(() => res.destroy(), 20);
      }
      const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
      const base = { id, object: 'chat.completion.chunk', created: 1, model };
      send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
      for (const [i, w] of words.entries()) {
        if (b.chunkIntervalMs) await new Promise((r) => setTimeout(r, b.chunkIntervalMs));
        if (b.breakAfterChunks !== undefined && i >= b.breakAfterChunks) return void res.destroy();
        send({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] });
      }
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      if ((body.stream_options as { include_usage?: boolean } | undefined)?.include_usage) send({ ...base, choices: [], usage });
      res.end('data: [DONE]\n\n');
    }
    function json(status: number, body: unknown, headers: Record<string, string> = {}) {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
