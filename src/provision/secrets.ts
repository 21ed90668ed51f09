// Secret values, generated at apply time only (never in the graph, the plan or a log):
// 256-bit random keys, and an ed25519 key pair for the scale sets (private key in Key Vault,
// public key in OpenSSH form on the secret's tag so the scale set body can reference it).
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface GeneratedSecret {
  value: string;
  /** Extra tags for the secret resource (public material only). */
  tags?: Record<string, string>;
}

function randomKey(): string {
  return randomBytes(32).toString('base64url');
}

/** OpenSSH "ssh-ed25519 AAAA…" line from the raw 32-byte public key. */
function opensshPublicKey(raw: Buffer, comment: string): string {
  // SSH wire strings: a 4-byte big-endian length, then the bytes.
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

function sshKeyPair(comment: string): { privateKeyPem: string; publicKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  // The last 32 bytes of an ed25519 SPKI structure are the raw key.
  const raw = spki.subarray(spki.length - 32);
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: opensshPublicKey(raw, comment) };
}

export function generateSecret(kind: 'random' | 'ssh-ed25519', comment: string): GeneratedSecret {
  if (kind === 'random') return { value: randomKey() };
  const pair = sshKeyPair(comment);
  return { value: pair.privateKeyPem, tags: { 'ssh-public-key': pair.publicKey } };
}
