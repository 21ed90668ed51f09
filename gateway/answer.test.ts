// An Answer holds bytes or a stream; toResponse and answerText read either the same way.
import { describe, expect, it } from 'vitest';
import { answer, answerText, jsonAnswer, toResponse } from './answer.js';

const streamOf = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(Buffer.from(p));
      c.close();
    },
  });

describe('Answer', () => {
  it('becomes a standard Response with its status, headers and body', async () => {
    const r = toResponse(jsonAnswer(418, { a: 1 }, { 'x-extra': 'yes' }));
    expect(r).toBeInstanceOf(Response);
    expect(r.status).toBe(418);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.headers.get('x-extra')).toBe('yes');
    expect(await r.json()).toEqual({ a: 1 });
    expect(await toResponse(answer(200, streamOf('he', 'llo'), {})).text()).toBe('hello');
    expect(toResponse(answer(204, Buffer.alloc(0), {})).status).toBe(204);
  });
  it('reads whole from bytes or from a stream', async () => {
    expect(await answerText(answer(200, Buffer.from('bytes'), {}))).toBe('bytes');
    expect(await answerText(answer(200, streamOf('a', 'b', 'c'), {}))).toBe('abc');
  });
});
