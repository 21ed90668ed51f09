// A private CA and a loopback server certificate, generated once per state dir and reused, so a
// daemon restart keeps the CA clients already trust. The SAN *.vault.localhost serves the Key
// Vault data plane's host-based vault URLs (emulator/dataplanes/vault-host.ts). Keys come from node:crypto (forge's pure-JS
// RSA generation takes seconds); node-forge only builds and signs the X.509 certificates.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileSync } from '../../lib/private-files.js';
import forge from 'node-forge';

export interface TlsMaterial {
  caCertPem: string;
  caCertPath: string;
  certPem: string;
  keyPem: string;
}

function newKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey,
    keyPem,
  };
}

function baseCert(publicKey: forge.pki.PublicKey, years: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 3600_000);
  return cert;
}

export function loadOrCreateTls(stateDir: string): TlsMaterial {
  const caCertPath = join(stateDir, 'ca-cert.pem');
  const certPath = join(stateDir, 'server-cert.pem');
  const keyPath = join(stateDir, 'server-key.pem');
  if (existsSync(caCertPath) && existsSync(certPath) && existsSync(keyPath)) {
    return {
      caCertPem: readFileSync(caCertPath, 'utf8'),
      caCertPath,
      certPem: readFileSync(certPath, 'utf8'),
      keyPem: readFileSync(keyPath, 'utf8'),
    };
  }
  const ca = newKeys();
  const caCert = baseCert(ca.publicKey, 10);
  const caName = [{ name: 'commonName', value: 'gpuarb local cloud CA' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const srv = newKeys();
  const cert = baseCert(srv.publicKey, 5);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 2, value: '*.vault.localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());

  const caCertPem = forge.pki.certificateToPem(caCert);
  const certPem = forge.pki.certificateToPem(cert);
  writePrivateFileSync(keyPath, srv.keyPem);
  writeFileSync(certPath, certPem);
  writeFileSync(caCertPath, caCertPem);
  return { caCertPem, caCertPath, certPem, keyPem: srv.keyPem };
}
