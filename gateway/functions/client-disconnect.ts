// How the Functions handler learns that its client went away. @azure/functions v4 with HTTP
// streams gives the handler no abort signal (Azure/azure-functions-nodejs-library#273, #294):
// the host forwards each request to an HTTP server the library runs in this worker process, keeps
// that server's ServerResponse private, and its sendProxyResponse reads the body the handler
// returned to the end even once the connection is gone. That server is a node:http server in
// this process, so node's diagnostics channel `http.server.request.start` (a public node API) sees
// every request it takes, with its response; the host names the invocation in the
// `x-ms-invocation-id` header, the id the handler's InvocationContext carries.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';

const INVOCATION_HEADER = 'x-ms-invocation-id';

/** One per proxied request still open; removed when its response closes. */
const watched = new Map<string, AbortController>();
let subscribed = false;

function onRequestStart(message: unknown): void {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const id = request.headers[INVOCATION_HEADER];
  if (typeof id !== 'string') return; // not the worker's proxy: some other server in the process
  const controller = new AbortController();
  watched.set(id, controller);
  response.once('close', () => {
    watched.delete(id);
    if (!response.writableFinished) controller.abort(new Error('the client went away'));
  });
}

/** Starts watching the worker's proxied requests; call before the first invocation. */
export function watchClientDisconnects(): void {
  if (subscribed) return;
  subscribed = true;
  subscribe('http.server.request.start', onRequestStart);
}

/**
 * Aborts when the client of this invocation goes away. An invocation that did not come through
 * the proxy (HTTP streams off) gets a signal that never fires: then nothing better is known.
 */
export function clientGoneSignal(invocationId: string): AbortSignal {
  return watched.get(invocationId)?.signal ?? new AbortController().signal;
}

/**
 * The answer's body as the library will read it, ended as soon as the client is gone: the
 * gateway's own stream is cancelled (so it stops reading the agent and aborts that call, and
 * metering bills what was delivered) and the library's read loop ends instead of draining it.
 */
export function endWhenClientGone(body: ReadableStream<Uint8Array>, signal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const onGone = () => {
    if (ended) return;
    ended = true;
    void reader.cancel(signal.reason).catch(() => {});
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (signal.aborted) onGone();
      else signal.addEventListener('abort', onGone, { once: true });
    },
    async pull(c) {
      if (ended) return;
      const { done, value } = await reader.read();
      if (ended) return;
      if (done) {
        ended = true;
        signal.removeEventListener('abort', onGone);
        c.close();
      } else c.enqueue(value);
    },
    cancel(reason) {
      ended = true;
      signal.removeEventListener('abort', onGone);
      return reader.cancel(reason);
    },
  });
}
