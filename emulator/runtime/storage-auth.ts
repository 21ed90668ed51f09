// Azure Storage's authorisation, in front of Azurite (which checks a bearer token's shape only and
// every shared key alike): Shared Key and SAS are refused with 403 KeyBasedAuthenticationNotPermitted
// when the account has `allowSharedKeyAccess: false`; a bearer token must be one the local cloud
// issued, and its principal needs the request's data action on the container or queue (403
// AuthorizationPermissionMismatch otherwise), exactly as role assignments in ARM grant it.
// https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent
// https://learn.microsoft.com/rest/api/storageservices/authorize-with-azure-active-directory#permissions-for-calling-data-operations
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DataAuth } from '../core/data-auth.js';
import type { Json } from '../core/store.js';
import type { FrontDecision } from './services/auth-front.js';

const SA = 'Microsoft.Storage/storageAccounts';

function storageError(status: number, code: string, message: string): FrontDecision {
  const requestId = randomUUID();
  const body =
    `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\n` +
    `RequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`;
  return {
    deny: {
      status,
      headers: { 'content-type': 'application/xml', 'x-ms-request-id': requestId, 'x-ms-error-code': code },
      body,
    },
  };
}

/** The permission a request needs: a data action, or a control action for container/queue management. */
export function storageOperation(
  service: 'blob' | 'queue',
  method: string,
  url: URL,
): { kind: 'data' | 'control'; action: string; child?: string } {
  const [, container, ...rest] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const q = url.searchParams;
  if (service === 'blob') {
    const child = container ? `blobServices/default/containers/${container}` : undefined;
    if (!container) return { kind: 'control', action: `${SA}/blobServices/containers/read` };
    if (rest.length === 0) {
      if (q.get('comp') === 'list') return { kind: 'data', action: `${SA}/blobServices/containers/blobs/read`, child };
      const verb = method === 'PUT' ? 'write' : method === 'DELETE' ? 'delete' : 'read';
      return { kind: 'control', action: `${SA}/blobServices/containers/${verb}`, child };
    }
    const verb = method === 'GET' || method === 'HEAD' ? 'read' : method === 'DELETE' ? 'delete' : 'write';
    return { kind: 'data', action: `${SA}/blobServices/containers/blobs/${verb}`, child };
  }
  const child = container ? `queueServices/default/queues/${container}` : undefined;
  if (!container) return { kind: 'control', action: `${SA}/queueServices/queues/read` };
  if (rest[0] !== 'messages') {
    const verb = method === 'PUT' ? 'write' : method === 'DELETE' ? 'delete' : 'read';
    return { kind: 'control', action: `${SA}/queueServices/queues/${verb}`, child };
  }
  const m = `${SA}/queueServices/queues/messages`;
  if (method === 'POST') return { kind: 'data', action: `${m}/add/action`, child };
  if (method === 'DELETE') return { kind: 'data', action: `${m}/delete`, child };
  if (method === 'PUT') return { kind: 'data', action: `${m}/write`, child };
  return { kind: 'data', action: q.get('peekonly') === 'true' ? `${m}/read` : `${m}/process/action`, child };
}

/** Azurite's "basic" OAuth checks shape, issuer, audience and lifetime only: this passes it. */
function azuriteToken(oid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = {
    aud: 'https://storage.azure.com',
    iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/',
    iat: now,
    nbf: now - 60,
    exp: now + 3600,
    oid,
  };
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

export function storageDecider(auth: DataAuth, account: () => Json | undefined, service: 'blob' | 'queue') {
  return (req: IncomingMessage, url: URL): FrontDecision => {
    const doc = account();
    if (!doc) return storageError(404, 'ResourceNotFound', 'The specified resource does not exist.');
    const header = req.headers.authorization ?? '';
    // A user delegation SAS (`skoid`) is signed with an Entra-issued key and stays allowed.
    const keyBased = /^SharedKey(Lite)?\s/i.test(header) || (url.searchParams.has('sig') && !url.searchParams.has('skoid'));
    if (keyBased) {
      if (doc.properties?.allowSharedKeyAccess === false)
        return storageError(
          403,
          'KeyBasedAuthenticationNotPermitted',
          'Key based authentication is not permitted on this storage account.',
        );
      return { forward: {} };
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    if (!bearer) return { forward: {} }; // anonymous: Azurite answers (public access is off)
    const principal = auth.principal(bearer.trim());
    if (!principal)
      return storageError(
        401,
        'InvalidAuthenticationInfo',
        'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.',
      );
    const op = storageOperation(service, req.method ?? 'GET', url);
    const scope = op.child ? `${doc.id}/${op.child}` : doc.id;
    const ok = op.kind === 'data' ? auth.allowed(principal, scope, op.action) : auth.allowedControl(principal, scope, op.action);
    if (!ok)
      return storageError(
        403,
        'AuthorizationPermissionMismatch',
        'This request is not authorized to perform this operation using this permission.',
      );
    return { forward: { headers: { authorization: `Bearer ${azuriteToken(principal.oid)}` } } };
  };
}
