// The HTTPS front door: request ids, bearer-token auth as ARM answers it, then ARM, the
// control API (/_emulator/...) or a data plane. One port serves them all.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { ArmError } from './errors.js';
import type { EmulatorCore } from './emulator-core.js';
import type { DataPlaneHandler } from './dataplane-contract.js';
import { handleArm, isArmPath } from './arm-router.js';
import { send, sendError } from './http.js';

export interface ServerDeps {
  core: EmulatorCore;
  token: string;
  certPem: string;
  keyPem: string;
  dataPlanes: () => DataPlaneHandler[];
  control: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
}

function bearerOk(req: IncomingMessage, token: string): 'ok' | 'missing' | 'invalid' {
  const h = req.headers.authorization;
  if (!h) return 'missing';
  const m = /^Bearer\s+(.+)$/i.exec(h);
  if (!m) return 'invalid';
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b) ? 'ok' : 'invalid';
}

function requireAuth(req: IncomingMessage, token: string): void {
  const state = bearerOk(req, token);
  if (state === 'ok') return;
  const challenge =
    'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", ' +
    "error_description=\"The authentication failed because of missing 'Authorization' " +
    'header."';
  if (state === 'missing') {
    throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", undefined, {
      'www-authenticate': challenge,
    });
  }
  throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', undefined, {
    'www-authenticate': challenge.replace("missing 'Authorization' header", 'invalid access token'),
  });
}

export function createEmulatorServer(deps: ServerDeps): Server {
  const { core } = deps;
  return createServer({ cert: deps.certPem, key: deps.keyPem }, (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-ms-request-id', requestId);
    res.setHeader('x-ms-correlation-request-id', (req.headers['x-ms-correlation-request-id'] as string) ?? requestId);
    const clientRequestId = req.headers['x-ms-client-request-id'];
    if (typeof clientRequestId === 'string') res.setHeader('x-ms-client-request-id', clientRequestId);
    // Built from the Host header: the Key Vault plane routes on `<vault>.vault.localhost`.
    // Leading slashes collapsed: SDKs build `/{resourceId}` from ids that start with '/', and
    // ARM accepts the double slash (URL parsing would read it as a host).
    const url = new URL((req.url ?? '/').replace(/^\/+/, '/'), `https://${req.headers.host ?? '127.0.0.1'}`);
    void (async () => {
      try {
        if (url.pathname.startsWith('/_emulator/')) {
          requireAuth(req, deps.token);
          return await deps.control(req, res, url);
        }
        if (isArmPath(url.pathname)) {
          requireAuth(req, deps.token);
          for (const [k, v] of Object.entries(core.faults.rateLimitHeaders(req.method ?? 'GET'))) res.setHeader(k, v);
          return await handleArm(core, req, res, url);
        }
        for (const handle of deps.dataPlanes()) {
          if (await handle(req, res, url)) return;
        }
        send(res, 404, { error: { code: 'NotFound', message: `No local-cloud service answers ${req.method} ${url.pathname}.` } });
      } catch (err) {
        sendError(res, err);
      }
    })();
  });
}
