// Test-only helpers for the data-plane tests: a throwaway CA and server certificate (never written
// to disk), a tiny HTTPS server that mounts data-plane handlers the way the core's router does,
// a seeded random source, a settable clock and a static credential for the real SDK clients.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import type { DataPlaneHandler } from './deps.js';
import { VAULT_CERT_SAN } from './vault-host.js';
import { mulberry32 } from '../../lib/mulberry32.js';

export interface TestTls {
  ca: string;
  cert: string;
  key: string;
}

function forgeKeys(): { pub: forge.pki.PublicKey; priv: forge.pki.rsa.PrivateKey; pem: string } {
  // node:crypto generates RSA keys in milliseconds; forge only builds and signs certificates.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    pub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    priv: forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey,
    pem,
  };
}

function certificate(pub: forge.pki.PublicKey): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = pub;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  return cert;
}

/** A CA and a server certificate for localhost, 127.0.0.1 and `*.vault.localhost`. */
export function createTestTls(): TestTls {
  const caKeys = forgeKeys();
  const caCert = certificate(caKeys.pub);
  const caName = [{ name: 'commonName', value: 'gpuarb data-plane test CA' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  caCert.sign(caKeys.priv, forge.md.sha256.create());

  const keys = forgeKeys();
  const cert = certificate(keys.pub);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 2, value: VAULT_CERT_SAN },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  cert.sign(caKeys.priv, forge.md.sha256.create());
  return { ca: forge.pki.certificateToPem(caCert), cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

export interface TestServer {
  port: number;
  /** `https://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/** An HTTPS server on a free loopback port that tries each handler in turn, as the core does. */
export async function startTestServer(tls: TestTls, handlers: DataPlaneHandler[]): Promise<TestServer> {
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

/** mulberry32, so tests see the same ids every run. */
export const seededRandom = mulberry32;

/** A clock tests move by hand. */
export class ManualClock {
  constructor(private ms: number) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export const TEST_TOKEN = 'local-test-token';

/** A TokenCredential (the @azure/core-auth shape) that always returns TEST_TOKEN, recording scopes. */
export function staticCredential(token = TEST_TOKEN): {
  scopes: string[];
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number }>;
} {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(requested: string | string[]) {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}
