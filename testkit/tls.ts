// The one certificate for test servers on loopback: self-signed (it is its own CA, so a client
// trusts it by passing `ca`), valid for localhost, 127.0.0.1 and the local Key Vault hosts, made
// once per process and never written to disk. The local Cosmos server ships an expired
// certificate and the Cosmos SDK insists on https, so tests serve it with this one and trust it
// explicitly — never with NODE_TLS_REJECT_UNAUTHORIZED. The key comes from node:crypto (native,
// fast); node-forge only builds and signs the certificate.
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { VAULT_CERT_SAN } from '../emulator/dataplanes/vault-host.js';

export interface TestCert {
  /** What a client trusts: the certificate itself (self-signed). */
  ca: string;
  cert: string;
  key: string;
}

let cached: TestCert | undefined;

export function testCert(): TestCert {
  cached ??= makeSelfSignedCert();
  return cached;
}

function makeSelfSignedCert(): TestCert {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const attrs = [{ name: 'commonName', value: 'localhost' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
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
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(cert);
  return { ca: pem, cert: pem, key: privateKey };
}
