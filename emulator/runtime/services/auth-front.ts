// An authorisation front: an HTTPS listener (the local CA's certificate) that answers a request
// itself when `decide` refuses it, and otherwise streams it to the upstream service (Azurite, the
// local Cosmos server) with the headers `decide` rewrites. The services behind it know nothing
// of Entra ID or role assignments; the front holds them to Azure's rules.
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FrontDecision =
  | { deny: { status: number; headers: Record<string, string>; body: string } }
  | { forward: { headers?: Record<string, string | undefined> } };

export interface AuthFront {
  port: number;
  origin: string;
  stop(): Promise<void>;
}

export async function startAuthFront(opts: {
  tls: { certPem: string; keyPem: string; caCertPem: string };
  upstream: string;
  decide: (req: IncomingMessage, url: URL) => FrontDecision;
}): Promise<AuthFront> {
  const upstream = new URL(opts.upstream);
  const server: Server = createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, (req, res) => handle(req, res));
  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`);
    let decision: FrontDecision;
    try {
      decision = opts.decide(req, url);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`local cloud authorisation front failed: ${(e as Error).message}`);
      return;
    }
    if ('deny' in decision) {
      req.resume();
      res.writeHead(decision.deny.status, decision.deny.headers).end(decision.deny.body);
      return;
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: upstream.host };
    for (const [k, v] of Object.entries(decision.forward.headers ?? {})) headers[k] = v;
    const out = request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        ca: opts.tls.caCertPem,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`upstream ${upstream.origin} failed: ${e.message}`);
    });
    req.pipe(out);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `https://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
