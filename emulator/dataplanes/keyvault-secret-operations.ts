// The Key Vault secret operations (set, get, update, delete, recover, purge and the three lists)
// over SecretStore, with Key Vault's paging; keyvault.ts authenticates a request and then runs
// the operation pickOperation names for it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VaultInfo } from './deps.js';
import { readJson, sendJson } from './http-util.js';
import { deletedBundle, deletedItem, secretBundle, secretItem, versionItem } from './keyvault-render.js';
import { KeyVaultError, type SecretPatch, type SecretStore, type VaultPolicy } from './keyvault-store.js';

/** Key Vault pages hold at most 25 items; `maxresults` may only lower that. */
const MAX_PAGE = 25;

export interface VaultRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  vaultName: string;
  vault: VaultInfo;
  policy: VaultPolicy;
  /** Vault URL with trailing slash, from the Host the client used (keeps its port). */
  base: string;
  requestId: string;
}

/** One operation, with the RBAC data action Azure checks before running it. */
export interface SecretOperation {
  action: string;
  run: (ctx: VaultRequest) => void | Promise<void>;
}

export function createSecretOperations(store: SecretStore): {
  pickOperation: (method: string, collection?: string, name?: string, third?: string, fourth?: string) => SecretOperation | undefined;
} {
  /** The operation a request names, with the RBAC data action Azure checks for it. */
  function pickOperation(method: string, collection?: string, name?: string, third?: string, fourth?: string): SecretOperation | undefined {
    if (fourth !== undefined) return undefined;
    if (collection === 'secrets') {
      if (!name) return method === 'GET' ? { action: 'readMetadata/action', run: listSecrets } : undefined;
      if (third === 'versions') return method === 'GET' ? { action: 'readMetadata/action', run: (c) => listVersions(c, name) } : undefined;
      if (method === 'GET') return { action: 'getSecret/action', run: (c) => getSecret(c, name, third) };
      if (method === 'PATCH') return { action: 'update/action', run: (c) => updateSecret(c, name, third) };
      if (third !== undefined) return undefined;
      if (method === 'PUT') return { action: 'setSecret/action', run: (c) => setSecret(c, name) };
      if (method === 'DELETE') return { action: 'delete', run: (c) => deleteSecret(c, name) };
    } else if (collection === 'deletedsecrets') {
      if (!name) return method === 'GET' ? { action: 'readMetadata/action', run: listDeleted } : undefined;
      if (third === 'recover') return method === 'POST' ? { action: 'recover/action', run: (c) => recover(c, name) } : undefined;
      if (third !== undefined) return undefined;
      if (method === 'GET')
        return { action: 'readMetadata/action', run: (c) => ok(c, deletedBundle(c.base, store.getDeleted(c.vaultName, name), c.policy)) };
      if (method === 'DELETE') return { action: 'purge/action', run: (c) => purge(c, name) };
    }
    return undefined;
  }

  function ok(ctx: VaultRequest, body: unknown, status = 200): void {
    sendJson(ctx.res, status, body, responseHeaders(ctx.requestId, ctx.vault.location));
  }

  async function setSecret(ctx: VaultRequest, name: string): Promise<void> {
    const body = (await readJson(ctx.req)) as Record<string, unknown> | undefined;
    if (!body || typeof body.value !== 'string')
      throw new KeyVaultError(400, 'BadParameter', 'Property value is required and must be a string.');
    const attrs = (body.attributes ?? {}) as Record<string, unknown>;
    const { record, version } = store.set(ctx.vaultName, name, {
      value: body.value,
      contentType: typeof body.contentType === 'string' ? body.contentType : undefined,
      tags: body.tags as Record<string, string> | undefined,
      enabled: typeof attrs.enabled === 'boolean' ? attrs.enabled : undefined,
      nbf: typeof attrs.nbf === 'number' ? attrs.nbf : undefined,
      exp: typeof attrs.exp === 'number' ? attrs.exp : undefined,
    });
    ok(ctx, secretBundle(ctx.base, record, version, ctx.policy, true));
  }

  function getSecret(ctx: VaultRequest, name: string, version: string | undefined): void {
    const found = store.get(ctx.vaultName, name, version);
    if (!found.version.enabled)
      throw new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    ok(ctx, secretBundle(ctx.base, found.record, found.version, ctx.policy, true));
  }

  async function updateSecret(ctx: VaultRequest, name: string, version: string | undefined): Promise<void> {
    const body = ((await readJson(ctx.req)) ?? {}) as Record<string, unknown>;
    const attrs = (body.attributes ?? {}) as Record<string, unknown>;
    const patch: SecretPatch = {
      contentType: typeof body.contentType === 'string' ? body.contentType : undefined,
      tags: body.tags as Record<string, string> | undefined,
      enabled: typeof attrs.enabled === 'boolean' ? attrs.enabled : undefined,
      nbf: typeof attrs.nbf === 'number' ? attrs.nbf : undefined,
      exp: typeof attrs.exp === 'number' ? attrs.exp : undefined,
    };
    const found = store.update(ctx.vaultName, name, version, patch);
    ok(ctx, secretBundle(ctx.base, found.record, found.version, ctx.policy, false));
  }

  function deleteSecret(ctx: VaultRequest, name: string): void {
    ok(ctx, deletedBundle(ctx.base, store.delete(ctx.vaultName, name, ctx.policy), ctx.policy));
  }

  function recover(ctx: VaultRequest, name: string): void {
    const record = store.recover(ctx.vaultName, name);
    ok(ctx, secretBundle(ctx.base, record, record.versions[record.versions.length - 1], ctx.policy, false));
  }

  function purge(ctx: VaultRequest, name: string): void {
    store.purge(ctx.vaultName, name, ctx.policy, ctx.vault.location);
    ok(ctx, undefined, 204);
  }

  function listSecrets(ctx: VaultRequest): void {
    page(
      ctx,
      store.list(ctx.vaultName).map((r) => secretItem(ctx.base, r, ctx.policy)),
    );
  }

  function listVersions(ctx: VaultRequest, name: string): void {
    const { record, versions } = store.versions(ctx.vaultName, name);
    page(
      ctx,
      versions.map((v) => versionItem(ctx.base, record, v, ctx.policy)),
    );
  }

  function listDeleted(ctx: VaultRequest): void {
    page(
      ctx,
      store.listDeleted(ctx.vaultName).map((d) => deletedItem(ctx.base, d, ctx.policy)),
    );
  }

  /** Key Vault paging: `maxresults` (1–25) per page, `$skiptoken` in an absolute `nextLink`. */
  function page(ctx: VaultRequest, items: unknown[]): void {
    const max = ctx.url.searchParams.get('maxresults');
    const size = max === null ? MAX_PAGE : Number(max);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
      throw new KeyVaultError(400, 'BadParameter', `invalid maxresults: ${max} (must be between 1 and ${MAX_PAGE})`);
    }
    const token = ctx.url.searchParams.get('$skiptoken');
    const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
    const slice = items.slice(start, start + size);
    let nextLink: string | null = null;
    if (start + size < items.length) {
      const next = new URL(ctx.url.pathname, ctx.base);
      next.searchParams.set('api-version', ctx.url.searchParams.get('api-version') ?? '');
      next.searchParams.set('$skiptoken', Buffer.from(String(start + size)).toString('base64url'));
      next.searchParams.set('maxresults', String(size));
      nextLink = next.toString();
    }
    ok(ctx, { value: slice, nextLink });
  }

  return { pickOperation };
}

export function responseHeaders(requestId: string, location?: string): Record<string, string> {
  return {
    'x-ms-request-id': requestId,
    'cache-control': 'no-cache',
    ...(location ? { 'x-ms-keyvault-region': location } : {}),
    'x-ms-keyvault-service-version': 'gpuarb-local',
  };
}

export function sendError(res: ServerResponse, requestId: string, err: KeyVaultError, location?: string): void {
  const error = { code: err.code, message: err.message, ...(err.innerCode ? { innererror: { code: err.innerCode } } : {}) };
  sendJson(res, err.status, { error }, responseHeaders(requestId, location));
}
