// Who is signed in: the object id (`oid`) and kind of the principal behind the ARM token, read
// from the token's claims as Entra ID issues them (access tokens are JWTs carrying `oid` and
// `idtyp`). `up` grants this principal the data roles it uses itself (control-plane roles such as
// Owner grant no data access). Only claims are read; the token never leaves this function.
import { UserError } from '../core/errors.js';
import type { AzureTarget } from './target.js';

export interface SignedInPrincipal {
  objectId: string;
  /** What a role assignment's `principalType` says: a person, or an app/managed identity (CI). */
  principalType: 'User' | 'ServicePrincipal';
}

export function principalFromAccessToken(token: string): SignedInPrincipal | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { oid?: unknown; idtyp?: unknown };
    if (typeof claims.oid !== 'string' || !claims.oid) return undefined;
    return { objectId: claims.oid, principalType: claims.idtyp === 'app' ? 'ServicePrincipal' : 'User' };
  } catch {
    return undefined;
  }
}

export async function signedInPrincipal(target: AzureTarget, signal?: AbortSignal): Promise<SignedInPrincipal> {
  const token = await target.credential.getToken(`${target.armEndpoint}/.default`, { abortSignal: signal });
  const principal = token ? principalFromAccessToken(token.token) : undefined;
  if (!principal)
    throw new UserError('The signed-in credential gave a token without an object id (oid claim), so gpuarb cannot grant it data access.', {
      code: 'OperatorObjectIdUnknown',
      hint: 'Sign in as a user or service principal of Microsoft Entra ID (`az login`, or AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET).',
    });
  return principal;
}
