// Bounds on how long a client may take to send a request, and on how many connections may wait
// unauthenticated, for our node:http servers that face callers we do not trust yet (the
// standalone gateway, the agents). Without them a client trickling headers or a body holds a
// socket (and, for the body, a buffer) for as long as it likes, and enough of them exhaust the
// process's sockets.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface SlowClientLimits {
  /** The whole request, headers and body, must arrive within this (node's requestTimeout). */
  receiveMs: number;
  /** The headers must arrive within this (node's headersTimeout). */
  headersMs: number;
  /** Longest silence while a body is being read. */
  bodyIdleMs: number;
}

/**
 * 1 MiB (the default body cap) at a slow 300 kbit/s takes about 28 s, so 30 s admits every honest
 * client; API Management and the gateway send from inside Azure in milliseconds.
 */
export const DEFAULT_RECEIVE_MS = 30_000;
/** Headers are a few KB: ten seconds is generous for any client that is not stalling on purpose. */
export const DEFAULT_HEADERS_MS = 10_000;
/** An honest upload never pauses this long mid-body; a trickling one is cut here. */
export const DEFAULT_BODY_IDLE_MS = 10_000;
/**
 * Connections that may wait unauthenticated at once. Honest callers authenticate on their first
 * request (API Management's pooled connections, the gateway's agent pool); probes are a handful.
 */
export const DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS = 256;
/**
 * How often node checks requestTimeout/headersTimeout (its default, 30 s, would let a stalled
 * request live up to 30 s past its timeout); a pass over the open connections each second is cheap.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** The createServer options that apply the receive and headers timeouts. */
export function slowClientServerOptions(l: Pick<SlowClientLimits, 'receiveMs' | 'headersMs'>) {
  return {
    requestTimeout: l.receiveMs,
    headersTimeout: Math.min(l.headersMs, l.receiveMs),
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, l.headersMs),
  };
}

/**
 * Caps the connections that have not yet carried an authenticated request: a new connection over
 * the cap is closed at once, so strangers cannot hold every socket. Returns the call that marks a
 * connection authenticated (it then no longer counts).
 */
export function capUnauthenticatedConnections(server: Server, cap: number): (socket: Socket) => void {
  const waiting = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (waiting.size >= cap) return void socket.destroy();
    waiting.add(socket);
    socket.once('close', () => waiting.delete(socket));
  });
  return (socket) => void waiting.delete(socket);
}
