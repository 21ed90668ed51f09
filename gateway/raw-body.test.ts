// BufferedResponse keeps the bytes for the hosts and still behaves as a standard Response for
// every other consumer.
import { describe, expect, it } from 'vitest';
import { bufferResponse, rawBodyOf } from './raw-body.js';

describe('bufferResponse', () => {
  it('hands the hosts its bytes and nothing for other answers', () => {
    const bytes = Buffer.from('{"a":1}');
    expect(rawBodyOf(bufferResponse(200, bytes, {}))).toBe(bytes);
    expect(rawBodyOf(new Response('x'))).toBeUndefined();
  });
  it('reads like a standard Response', async () => {
    const r = bufferResponse(418, Buffer.from('{"a":1}'), { 'content-type': 'application/json' });
    r.headers.set('x-extra', 'yes');
    expect(r).toBeInstanceOf(Response);
    expect(r.status).toBe(418);
    expect(r.bodyUsed).toBe(false);
    const copy = r.clone();
    expect(await r.json()).toEqual({ a: 1 });
    expect(r.bodyUsed).toBe(true);
    await expect(r.text()).rejects.toThrow(); // a body reads once, as with any Response
    expect(copy.headers.get('x-extra')).toBe('yes');
    expect(await copy.text()).toBe('{"a":1}');
    expect(Buffer.from(await bufferResponse(200, Buffer.from('bin'), {}).arrayBuffer()).toString()).toBe('bin');
  });
  it('streams its bytes to a consumer that reads the body stream', async () => {
    const r = bufferResponse(200, Buffer.from('hello'), {});
    const reader = r.body!.getReader();
    const chunks: number[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(...value);
    }
    expect(Buffer.from(chunks).toString()).toBe('hello');
  });
});
