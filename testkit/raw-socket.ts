// A raw TCP client for tests of how our HTTP servers treat slow or stalling callers: it sends
// exactly the bytes given (partial headers, a body that never comes) and reports what came back
// and when the server closed the connection.
import { connect, type Socket } from 'node:net';

export interface Raw {
  socket: Socket;
  /** Everything received so far. */
  text(): string;
  /** Resolves with the ms from open to close, or undefined if still open after `withinMs`. */
  closed(withinMs: number): Promise<number | undefined>;
}

export function open(url: string, initial = ''): Promise<Raw> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    let closedAt: number | undefined;
    const waiters: (() => void)[] = [];
    const socket = connect(Number(port), hostname, () => {
      if (initial) socket.write(initial);
      resolve({
        socket,
        text: () => received,
        closed: (withinMs) =>
          new Promise((done) => {
            if (closedAt !== undefined) return done(closedAt);
            const timer = setTimeout(() => done(undefined), withinMs);
            waiters.push(() => {
              clearTimeout(timer);
              done(closedAt);
            });
          }),
      });
    });
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      closedAt = Date.now() - started;
      for (const w of waiters.splice(0)) w();
    });
    socket.once('error', reject);
  });
}

export /** The head of a chat-completions POST declaring `contentLength` body bytes. */
const head = (extra: Record<string, string>, contentLength: number) =>
  `POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\ncontent-length: ${contentLength}\r\n${Object.entries(
    extra,
  )
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
