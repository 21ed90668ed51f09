// Every malformed request gets OpenAI's error shape with a status and a message that says what is
// wrong (raw HTTP, so exactly what is on the wire is checked).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from '../../testkit/agent.js';

let t: TestAgent;
beforeAll(async () => {
  t = await startTestAgent({ limits: { maxBodyBytes: 4096, defaultMaxTokens: 64 } });
});
afterAll(() => t.stop());

async function post(path: string, body: string | object, headers = t.headers) {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } },
  };
}

const chat = (extra: object) => ({ model: 'phi3-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });

describe('bad requests', () => {
  it.each([
    ['malformed JSON', '/v1/chat/completions', '{"model": "phi3-mini",', null, 'invalid_json', /parse the JSON/],
    ['a JSON array body', '/v1/chat/completions', '[1,2]', null, 'invalid_json', /JSON object/],
    ['an empty body', '/v1/chat/completions', '', null, 'invalid_json', /empty/],
    [
      'missing model',
      '/v1/chat/completions',
      { messages: [{ role: 'user', content: 'x' }] },
      'model',
      'missing_required_parameter',
      /Missing required parameter: 'model'/,
    ],
    ['missing messages', '/v1/chat/completions', { model: 'phi3-mini' }, 'messages', 'missing_required_parameter', /'messages'/],
    [
      'messages not an array',
      '/v1/chat/completions',
      chat({ messages: 'hi' }),
      'messages',
      'invalid_type',
      /expected an array, but got a string/,
    ],
    ['empty messages', '/v1/chat/completions', chat({ messages: [] }), 'messages', 'empty_array', /empty array/],
    [
      'a message without role',
      '/v1/chat/completions',
      chat({ messages: [{ content: 'x' }] }),
      'messages[0].role',
      'missing_required_parameter',
      /messages\[0\]\.role/,
    ],
    [
      'an unknown role',
      '/v1/chat/completions',
      chat({ messages: [{ role: 'wizard', content: 'x' }] }),
      'messages[0].role',
      'invalid_value',
      /one of/,
    ],
    [
      'content of the wrong type',
      '/v1/chat/completions',
      chat({ messages: [{ role: 'user', content: 42 }] }),
      'messages[0].content',
      'invalid_type',
      /got a number/,
    ],
    ['model of the wrong type', '/v1/chat/completions', chat({ model: 7 }), 'model', 'invalid_type', /expected a string/],
    ['stream not a boolean', '/v1/chat/completions', chat({ stream: 'yes' }), 'stream', 'invalid_type', /boolean/],
    [
      'stream_options without stream',
      '/v1/chat/completions',
      chat({ stream_options: { include_usage: true } }),
      'stream_options',
      'invalid_value',
      /only allowed when 'stream' is enabled/,
    ],
    ['max_tokens zero', '/v1/chat/completions', chat({ max_tokens: 0 }), 'max_tokens', 'integer_below_min_value', /Expected a value >= 1/],
    ['max_tokens fractional', '/v1/chat/completions', chat({ max_tokens: 1.5 }), 'max_tokens', 'invalid_type', /integer/],
    [
      'max_tokens above the context',
      '/v1/chat/completions',
      chat({ max_tokens: 100_000 }),
      'max_tokens',
      'invalid_value',
      /max_tokens is too large/,
    ],
    [
      'prompt plus max_tokens over the context',
      '/v1/completions',
      { model: 'phi3-mini', prompt: 'x'.repeat(3000), max_tokens: 32500 },
      'prompt',
      'context_length_exceeded',
      /maximum context length is 32768/,
    ],
    ['temperature out of range', '/v1/chat/completions', chat({ temperature: -1 }), 'temperature', 'decimal_below_min_value', />= 0/],
    ['n other than 1', '/v1/chat/completions', chat({ n: 3 }), 'n', 'integer_above_max_value', /<= 1/],
    [
      'too many stop sequences',
      '/v1/chat/completions',
      chat({ stop: ['a', 'b', 'c', 'd', 'e'] }),
      'stop',
      'array_above_max_length',
      /maximum length 4/,
    ],
    ['missing prompt', '/v1/completions', { model: 'phi3-mini' }, 'prompt', 'missing_required_parameter', /'prompt'/],
    ['a prompt batch', '/v1/completions', { model: 'phi3-mini', prompt: ['a', 'b'] }, 'prompt', 'invalid_value', /single prompt/],
  ])('400 for %s', async (_name, path, body, param, code, message) => {
    const res = await post(path, body as string | object);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(res.body.error.message).toMatch(message);
  });

  it('400 for a prompt longer than the context (small-context agent)', async () => {
    const small = await startTestAgent({ engine: { type: 'sim', model: 'phi3-mini', gpu: 'T4' } }); // 4096 tokens
    try {
      const res = await fetch(`${small.url}/v1/completions`, {
        method: 'POST',
        headers: small.headers,
        body: JSON.stringify({ model: 'phi3-mini', prompt: 'word '.repeat(4000) }),
      });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status).toBe(400);
      expect(body.error.code).toBe('context_length_exceeded');
      expect(body.error.message).toMatch(/maximum context length is 4096 tokens/);
    } finally {
      await small.stop();
    }
  });

  it('413 for a body over the limit, declared or streamed (chunked)', async () => {
    const big = JSON.stringify(chat({ messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }));
    const declared = await post('/v1/chat/completions', big);
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
    // Without Content-Length the limit is enforced while reading.
    const chunked = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = request(
        `${t.url}/v1/chat/completions`,
        { method: 'POST', headers: { ...t.headers, 'transfer-encoding': 'chunked' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on('error', reject);
      req.write(big.slice(0, 5000));
      req.end(big.slice(5000));
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe('request_too_large');
  });

  it('404 for an unknown URL and 405 for a wrong method, in the same shape', async () => {
    const unknown = await fetch(`${t.url}/v1/embeddings`, { headers: t.headers });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
    const method = await fetch(`${t.url}/v1/chat/completions`, { headers: t.headers });
    expect(method.status).toBe(405);
  });

  it('401 without the internal key, on every non-health endpoint', async () => {
    for (const path of ['/v1/models', '/v1/chat/completions', '/metrics']) {
      const res = await fetch(`${t.url}${path}`, {
        method: path === '/v1/models' || path === '/metrics' ? 'GET' : 'POST',
        headers: { authorization: 'Bearer wrong' },
      });
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
    }
  });
});
