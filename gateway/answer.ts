// What the handler answers: a status, headers, and the body as bytes it already holds (an agent's
// buffered answer, a cache hit, an error) or as a web stream (a relayed stream). Not a web
// Response: building one (undici's Headers and body wiring) cost 8–9 µs per request with warm
// caches and about a quarter of the handler's own CPU on the miss path at moderate load (perf
// profile, bench/RESULTS.md), and both hosts write the parts out themselves anyway.
// toResponse() gives a standard Response to any consumer that wants one.
export interface Answer {
  readonly status: number;
  /** Lower-case header names; the handler adds the request id and Server-Timing before it returns. */
  readonly headers: Record<string, string>;
  readonly body: Buffer | ReadableStream<Uint8Array>;
}

export function answer(status: number, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string>): Answer {
  return { status, headers, body };
}

export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return answer(status, Buffer.from(JSON.stringify(value)), { 'content-type': 'application/json', ...headers });
}

export function toResponse(a: Answer): Response {
  // A web Response refuses any body, even an empty one, with these statuses (an upstream may send them).
  const noBody = a.status === 204 || a.status === 205 || a.status === 304;
  return new Response(noBody ? null : (a.body as BodyInit), { status: a.status, headers: a.headers });
}

/** The whole body as text: the bytes held, or the stream read to its end. */
export async function answerText(a: Answer): Promise<string> {
  if (Buffer.isBuffer(a.body)) return a.body.toString();
  return new Response(a.body).text();
}
