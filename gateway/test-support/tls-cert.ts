// A throwaway self-signed certificate for loopback test servers. The Cosmos emulator we use
// (@vercel/cosmosdb-server) ships an expired certificate, and the Cosmos SDK (like every
// bearer-token Azure client) insists on https, so tests serve it with a fresh one and trust it
// through an explicit CA — never with NODE_TLS_REJECT_UNAUTHORIZED.
import forge from 'node-forge';

export interface TestCert {
  cert: string;
  key: string;
}

let cached: TestCert | undefined;

/** Generates (once per process: RSA keygen costs ~100 ms) a cert for localhost + 127.0.0.1. */
export function loopbackCert(): TestCert {
  if (cached) return cached;
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = Date.now().toString(16);
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const attrs = [{ name: 'commonName', value: 'localhost' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  cached = { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
  return cached;
}
