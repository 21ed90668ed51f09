// A tiny HTTPS server for the data-plane tests that mounts data-plane handlers the way the local
// cloud's router does, on a free loopback port, serving the test certificate (tls.ts).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DataPlaneHandler } from '../emulator/dataplanes/deps.js';
import type { TestCert } from './tls.js';

export interface TestServer {
  port: number;
  /** `https://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/** An HTTPS server on a free loopback port that tries each handler in turn, as the core does. */
export async function startTestServer(tls: TestCert, handlers: DataPlaneHandler[]): Promise<TestServer> {
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
    void (async () => {
      for (const handle of handlers) {
        if (await handle(req, res, url)) return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NotFound', message: `no handler for ${req.method} ${url.pathname}` } }));
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalError', message: String(err) } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
