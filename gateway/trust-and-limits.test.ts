// Trust (APIM headers, secret rotation) and every kind of bad input, end to end through the
// node:http host: all answers in OpenAI's error shape, and the process keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startHarness, BACKEND_SECRET_PREVIOUS, INTERNAL_KEY, type Harness } from '../testkit/gateway.js';
import { startScriptedAgent, type ScriptedAgent } from '../testkit/scripted-agent.js';
import { waitFor } from '../testkit/wait.js';

let h: Harness;
let agent: ScriptedAgent;
const chat = { model: 'phi3-mini', messages: [{ role: 'user', content: 'hi' }] };

/** The last request the agent saw (the test just sent one). */
function lastSeen() {
  const seen = agent.seen.at(-1);
  if (!seen) throw new Error('the agent has seen no request');
  return seen;
}

beforeAll(async () => {
  h = await startHarness({ config: { limits: { maxBodyBytes: 4096 } } });
  agent = await startScriptedAgent('a', INTERNAL_KEY);
  await h.register({ id: 'vm-a', model: 'phi3-mini', address: agent.url });
});
afterAll(async () => {
  await h?.stop();
  await agent?.stop();
});

async function expectError(res: Response, status: number, code?: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { message: string; type: string; code: string | null } };
  expect(typeof body.error.message).toBe('string');
  expect(typeof body.error.type).toBe('string');
  if (code) expect(body.error.code).toBe(code);
  expect(res.headers.get('x-request-id')).toBeTruthy();
  return body;
}

describe('trust', () => {
  it('refuses requests without the backend secret or customer', async () => {
    await expectError(await fetch(`${h.url}/v1/models`), 401, 'unauthorized');
    await expectError(
      await fetch(`${h.url}/v1/models`, { headers: { 'x-gpuarb-backend-key': 'wrong', 'x-gpuarb-customer': 'acme' } }),
      401,
    );
    await expectError(await fetch(`${h.url}/v1/models`, { headers: { 'x-gpuarb-backend-key': h.apim()['x-gpuarb-backend-key'] } }), 401);
    await expectError(
      await fetch(`${h.url}/v1/models`, { headers: { ...h.apim(), 'x-gpuarb-customer': '../etc' } }),
      400,
      'invalid_customer',
    );
  });
  it('accepts the current and the previous secret during a rotation', async () => {
    expect((await fetch(`${h.url}/v1/models`, { headers: h.apim() })).status).toBe(200);
    const prev = await fetch(`${h.url}/v1/models`, { headers: { ...h.apim(), 'x-gpuarb-backend-key': BACKEND_SECRET_PREVIOUS } });
    expect(prev.status).toBe(200);
  });
  it('passes the request id and the internal key on to the agent', async () => {
    const res = await h.post('/v1/chat/completions', chat, { 'x-request-id': 'req-trace-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-trace-1');
    const seen = lastSeen();
    expect(seen.headers['x-request-id']).toBe('req-trace-1');
    expect(seen.headers.authorization).toBe(`Bearer ${INTERNAL_KEY}`);
  });
  it('says in Server-Timing what the gateway took and what it waited for the agent', async () => {
    agent.behaviour.delayMs = 300;
    try {
      const res = await h.post('/v1/chat/completions', { ...chat, messages: [{ role: 'user', content: 'timed' }] });
      expect(res.status).toBe(200);
      const m = /^gateway;dur=(\d+\.\d{3}), agent;dur=(\d+\.\d{3})$/.exec(res.headers.get('server-timing') ?? '');
      expect(m).not.toBeNull();
      expect(Number(m?.[2])).toBeGreaterThanOrEqual(300); // the agent's delay is the agent's
      expect(Number(m?.[1])).toBeLessThan(300); // and not the gateway's
    } finally {
      agent.behaviour.delayMs = 0;
    }
    const models = await fetch(`${h.url}/v1/models`, { headers: h.apim() });
    expect(models.headers.get('server-timing')).toMatch(/^gateway;dur=\d+\.\d{3}$/);
  });
  it('forwards the client body untouched unless the model name changes', async () => {
    // Exact pool name, not streamed, not cacheable: the agent gets the very bytes the client sent.
    const spaced = '{ "model" : "phi3-mini",  "messages": [ {"role":"user","content":"as sent"} ] }';
    expect((await h.post('/v1/chat/completions', spaced)).status).toBe(200);
    expect(lastSeen().raw).toBe(spaced);
    // Cacheable: the agent gets the gateway's re-serialisation, the body the cache key covers, so
    // a duplicate key (last one wins in JSON.parse) cannot be read differently by the agent.
    const twice =
      '{"model":"phi3-mini","temperature":0,"messages":[{"role":"user","content":"first"}],"messages":[{"role":"user","content":"second"}]}';
    expect((await h.post('/v1/chat/completions', twice)).status).toBe(200);
    expect(lastSeen().raw).toBe(JSON.stringify({ model: 'phi3-mini', temperature: 0, messages: [{ role: 'user', content: 'second' }] }));
    // An alias is rewritten to the pool's model name; everything else is kept.
    expect((await h.post('/v1/chat/completions', { ...chat, model: 'phi-3', temperature: 0.5 })).status).toBe(200);
    expect(lastSeen().body).toEqual({ ...chat, model: 'phi3-mini', temperature: 0.5 });
    // A stream asks the agent for the usage chunk (metering), so its body is rewritten too.
    await (await h.post('/v1/chat/completions', { ...chat, stream: true })).text();
    expect(lastSeen().body.stream_options).toEqual({ include_usage: true });
  });
  it('the handler serves a real web Request (the Functions host) as it serves node:http', async () => {
    const res = await h.gateway.handleWeb(
      new Request('https://gateway.example/v1/chat/completions', {
        method: 'POST',
        headers: { ...h.apim(), 'content-type': 'application/json', 'x-request-id': 'web-req-1' },
        body: JSON.stringify(chat),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('web-req-1');
    expect(((await res.json()) as { object: string }).object).toBe('chat.completion');
    const err = await h.gateway.handleWeb(
      new Request('https://gateway.example/v1/chat/completions', { method: 'POST', headers: h.apim(), body: '{' }),
    );
    await expectError(err, 400, 'invalid_json');
  });
});

describe('bad input', () => {
  it('malformed JSON, wrong shapes, empty bodies', async () => {
    await expectError(await h.post('/v1/chat/completions', '{"model": "phi3-mini", '), 400, 'invalid_json');
    await expectError(await h.post('/v1/chat/completions', ''), 400, 'invalid_json');
    await expectError(await h.post('/v1/chat/completions', '[1,2]'), 400, 'invalid_json');
    await expectError(await h.post('/v1/chat/completions', 'null'), 400, 'invalid_json');
    await expectError(await h.post('/v1/chat/completions', { messages: [] }), 400, 'missing_required_parameter');
    await expectError(await h.post('/v1/chat/completions', { model: 'phi3-mini', messages: 'hi' }), 400);
    await expectError(await h.post('/v1/chat/completions', { model: 'phi3-mini', messages: [null] }), 400);
    await expectError(await h.post('/v1/chat/completions', { ...chat, stream: 'yes' }), 400);
    await expectError(await h.post('/v1/chat/completions', { ...chat, n: 3 }), 400);
    await expectError(await h.post('/v1/chat/completions', { model: 42, messages: [{ role: 'user', content: 'x' }] }), 400);
  });
  it('unknown model: 404 listing the models', async () => {
    const body = await expectError(await h.post('/v1/chat/completions', { ...chat, model: 'gpt-9' }), 404, 'model_not_found');
    expect(body.error.message).toContain('phi3-mini');
    expect(body.error.message).toContain('auto');
  });
  it('body over the cap: 413, declared or streamed', async () => {
    await expectError(await h.post('/v1/chat/completions', { ...chat, pad: 'x'.repeat(5000) }), 413, 'body_too_large');
    // Chunked, no content-length: the cap applies while reading.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${h.url}/v1/chat/completions`,
        { method: 'POST', headers: { ...h.apim(), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(1000));
      req.end();
    });
    expect(status).toBe(413);
  });
  it('a request target that is not a path: 400', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: new URL(h.url).hostname, port: new URL(h.url).port, path: 'http://elsewhere.example/v1/models', headers: h.apim() },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });
  it('unknown paths and methods', async () => {
    await expectError(await fetch(`${h.url}/v2/nope`, { headers: h.apim() }), 404, 'unknown_url');
    await expectError(await fetch(`${h.url}/v1/chat/completions`, { headers: h.apim() }), 405);
  });
  it('upstream timeout: 504', async () => {
    agent.behaviour.delayMs = 6_000;
    try {
      await expectError(
        await h.post('/v1/chat/completions', { ...chat, messages: [{ role: 'user', content: 'slow' }] }),
        504,
        'upstream_timeout',
      );
    } finally {
      agent.behaviour.delayMs = 0;
    }
  });
  it('a client that hangs up before the answer cancels the agent call', async () => {
    agent.behaviour.delayMs = 5_000;
    const before = agent.abandoned;
    try {
      const body = JSON.stringify({ ...chat, messages: [{ role: 'user', content: 'hang up' }] });
      const req = request(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { ...h.apim(), 'content-type': 'application/json' } });
      req.on('error', () => {}); // we destroy it ourselves
      req.end(body);
      await waitFor('the agent to see the request', () => agent.seen.at(-1)?.raw.includes('hang up') === true, 3_000, 20);
      req.destroy();
      // Cancelled well before the agent's 5 s delay ends, and the gateway no longer counts it.
      await waitFor(
        'the abandoned request to be released',
        () => agent.abandoned > before && h.gateway.ctx.inFlight.count === 0,
        3_000,
        20,
      );
    } finally {
      agent.behaviour.delayMs = 0;
    }
  });
  it('still serves after all of it', async () => {
    expect((await h.post('/v1/chat/completions', chat)).status).toBe(200);
    expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
  });
});
