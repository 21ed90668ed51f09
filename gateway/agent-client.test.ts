// The agent client against a real HTTP server that misbehaves on cue: answers read whole (split,
// stalled, broken, oversized), streams with backpressure and cancellation, aborts, refusals and
// header handling. Every failure must come out as the UpstreamError kind dispatch relies on to
// decide whether a retry on another replica is safe.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentAnswer } from './agent-call.js';
import { AgentClient } from './agent-client.js';
import { UpstreamError } from './upstream-error.js';
import { closedPort, waitFor } from '../testkit/wait.js';

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let route: Route = (_req, res) => res.end('{}');
let closedByClient = 0;
let server: http.Server;
let base: string;
let client: AgentClient;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.once('close', () => {
      if (!res.writableFinished) closedByClient++;
    });
    req.resume();
    req.on('end', () => route(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  client?.close();
  closedByClient = 0;
});

const post = (opts: { stream?: boolean; signal?: AbortSignal; maxBytes?: number } = {}) => {
  client = new AgentClient({ connectMs: 2_000 });
  return client.post(
    base,
    'v1/chat/completions',
    Buffer.from('{"model":"m"}'),
    { 'content-type': 'application/json', authorization: 'Bearer k' },
    { firstByteMs: 2_000, ...opts },
  );
};
const whole = (a: AgentAnswer, idleMs = 2_000) => {
  if (a.body.kind !== 'whole') throw new Error('expected a whole answer');
  return a.body.read(idleMs);
};
const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
};
const agentSawClose = () => waitFor('the agent to see the connection closed', () => closedByClient === 1, 3_000);

describe('answers read whole', () => {
  it('joins an answer that arrives in pieces, however late', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      setTimeout(() => res.write('"b'), 30);
      setTimeout(() => res.end('"}'), 60);
    };
    const a = await post();
    expect(a.status).toBe(200);
    expect((await whole(a)).toString()).toBe('{"a":"b"}');
  });

  it('an agent silent mid-answer is a timeout (not retryable), and the call is cut', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    };
    const err = await failure(post().then((a) => whole(a, 100)));
    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(false);
    await agentSawClose();
  });

  it('an answer broken mid-body is a reset the gateway may retry (nothing reached the client)', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.destroy(), 20);
    };
    const err = await failure(post().then((a) => whole(a)));
    expect(err.kind).toBe('reset');
    expect(err.retryable).toBe(true);
  });

  it('an answer over the size cap fails as too large and is cut', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('x'.repeat(600));
      setTimeout(() => res.write('y'.repeat(600)), 20);
    };
    const err = await failure(post({ maxBytes: 1000 }).then((a) => whole(a)));
    expect(err.message).toMatch(/too large/);
    expect(err.retryable).toBe(false);
    await agentSawClose();
  });

  it('a stream request answered with an error is read whole; headers keep repeats and cannot touch prototypes', async () => {
    route = (_req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('__proto__', 'x');
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end('{"error":{"message":"draining"}}');
    };
    const a = await post({ stream: true });
    expect(a.status).toBe(503);
    expect(a.body.kind).toBe('whole');
    expect(a.headers['retry-after']).toBe('3');
    expect(a.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect((await whole(a)).toString()).toContain('draining');
  });
});

describe('streams', () => {
  it("relays a long stream in order with backpressure, whatever the reader's pace", async () => {
    const events = 400;
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const pump = () => {
        while (i < events) {
          if (!res.write(`data: ${String(i++).padStart(6, '0')}${'.'.repeat(1000)}\n\n`)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const a = await post({ stream: true });
    if (a.body.kind !== 'stream') throw new Error('expected a stream');
    let text = '';
    for await (const chunk of a.body.res) {
      text += chunk;
      if (text.length % 7 === 0) await new Promise((r) => setTimeout(r, 1)); // a slow reader now and then
    }
    const seen = [...text.matchAll(/data: (\d{6})/g)].map((m) => Number(m[1]));
    expect(seen).toEqual(Array.from({ length: events }, (_, i) => i));
  });

  it('closing the stream early cuts the call to the agent', async () => {
    route = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      const t = setInterval(() => res.write('data: more\n\n'), 10);
      res.once('close', () => clearInterval(t));
    };
    const a = await post({ stream: true });
    if (a.body.kind !== 'stream') throw new Error('expected a stream');
    await new Promise((r) => a.body.kind === 'stream' && a.body.res.once('data', r));
    a.body.res.destroy();
    await agentSawClose();
  });
});

describe('failures before an answer', () => {
  it('a client that goes away aborts the call: not retryable, and the agent sees the close', async () => {
    route = () => {}; // never answers
    const ac = new AbortController();
    const pending = post({ signal: ac.signal });
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    const err = await failure(pending);
    expect(err.kind).toBe('aborted');
    expect(err.retryable).toBe(false);
    await agentSawClose();
  });

  it('an already aborted signal never reaches the agent', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await failure(post({ signal: ac.signal }))).kind).toBe('aborted');
  });

  it('a refused connection is unreachable and retryable', async () => {
    const port = await closedPort();
    client = new AgentClient({ connectMs: 2_000 });
    const err = await failure(client.post(`http://127.0.0.1:${port}`, 'v1/x', Buffer.from('{}'), {}, { firstByteMs: 1_000 }));
    expect(err.kind).toBe('unreachable');
    expect(err.retryable).toBe(true);
  });

  it('no first byte in time is a timeout, not retryable (the agent may be working on it)', async () => {
    route = () => {};
    client = new AgentClient({ connectMs: 2_000 });
    const err = await failure(client.post(base, 'v1/x', Buffer.from('{}'), {}, { firstByteMs: 100 }));
    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(false);
  });
});
