// The local cloud's stand-in for Microsoft Entra ID tokens: JWTs shaped like Entra's access tokens
// (iss, tid, aud, oid, idtyp, exp), so the platform reads the caller's object id from `oid` as it
// does on Azure. They are signed with HS256 and a key kept beside the state (Entra signs with
// RS256 and published keys): the data planes verify the signature, so a token the local cloud did
// not issue, or one with an edited `oid`, is refused.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileSync } from '../../lib/private-files.js';
import { TENANT_ID } from './documents.js';

export type PrincipalKind = 'User' | 'ServicePrincipal';

/** Who a token speaks for: Entra's object id and whether it is a user or an app/managed identity. */
export interface Principal {
  oid: string;
  kind: PrincipalKind;
}

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  sub: string;
  /** Entra's `idtyp`: `user` for a signed-in user, `app` for a service principal or managed identity. */
  idtyp: 'user' | 'app';
  iat: number;
  nbf: number;
  exp: number;
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sign = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest('base64url');

export function mintToken(key: Buffer, p: { oid: string; kind: PrincipalKind; aud: string; lifetimeSeconds: number }): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: TokenClaims = {
    aud: p.aud,
    iss: `https://sts.windows.net/${TENANT_ID}/`,
    tid: TENANT_ID,
    oid: p.oid,
    sub: p.oid,
    idtyp: p.kind === 'User' ? 'user' : 'app',
    iat: now,
    nbf: now - 60,
    exp: now + p.lifetimeSeconds,
  };
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${sign(key, body)}`;
}

/** The principal of a token this local cloud issued and that has not expired; undefined otherwise. */
export function principalFromToken(token: string, key: Buffer): Principal | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const expected = Buffer.from(sign(key, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  let claims: Partial<TokenClaims>;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims.oid !== 'string' || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return undefined;
  return { oid: claims.oid, kind: claims.idtyp === 'user' ? 'User' : 'ServicePrincipal' };
}

export interface OperatorIdentity {
  /** The bearer token the CLI presents (ARM, control API and data planes). */
  token: string;
  /** The operator's Entra object id (the token's `oid`). */
  oid: string;
  /** The signing key of every token this local cloud issues. */
  signingKey: Buffer;
}

const OPERATOR_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

/**
 * The signed-in operator of this local cloud: a stable object id and a long-lived token, kept
 * beside the state (`token`, `token-signing-key`, both private). A token file from before tokens
 * were JWTs, or one the key does not verify, is replaced.
 */
export function loadOrCreateOperator(stateDir: string): OperatorIdentity {
  const keyPath = join(stateDir, 'token-signing-key');
  const tokenPath = join(stateDir, 'token');
  if (existsSync(keyPath) && existsSync(tokenPath)) {
    const signingKey = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64url');
    const token = readFileSync(tokenPath, 'utf8').trim();
    const principal = principalFromToken(token, signingKey);
    if (principal) return { token, oid: principal.oid, signingKey };
  }
  const signingKey = randomBytes(32);
  const oid = randomUUID();
  const token = mintToken(signingKey, {
    oid,
    kind: 'User',
    aud: 'https://management.core.windows.net/',
    lifetimeSeconds: OPERATOR_LIFETIME_SECONDS,
  });
  writePrivateFileSync(keyPath, signingKey.toString('base64url'));
  writePrivateFileSync(tokenPath, token);
  return { token, oid, signingKey };
}
