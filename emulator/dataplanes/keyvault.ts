// The Key Vault secrets data plane, as the real @azure/keyvault-secrets SecretClient drives it:
// challenge-based auth, set/get/versions/list/update, soft delete with recover and purge.
// Routed on the Host header (`<vault>.vault.localhost`, see vault-host.ts); state in SecretStore.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlaneHandler, KeyVaultDeps, VaultInfo } from './deps.js';
import { bearerToken, guid, randomHex, readJson, sendJson } from './http-util.js';
import { deletedBundle, deletedItem, secretBundle, secretItem, versionItem } from './keyvault-render.js';
import { KeyVaultError, SecretStore, type SecretPatch, type SecretStoreState, type VaultPolicy } from './keyvault-store.js';
import { VAULT_CHALLENGE_RESOURCE, vaultNameFromHost } from './vault-host.js';

export interface KeyVaultDataPlane extends DataPlaneHandler {
  /** Plain-JSON state for the daemon to persist, and to load back on restart. */
  exportState(): SecretStoreState;
  importState(state: SecretStoreState): void;
  /** Call when a vault is purged in ARM: its secrets are gone for good. */
  dropVault(vaultName: string): void;
  /** A new version, as an ARM PUT of Microsoft.KeyVault/vaults/secrets creates one. */
  setSecret(vaultName: string, name: string, value: string): void;
  /** Enabled values of a secret, newest first (empty when it does not exist). */
  enabledValues(vaultName: string, name: string): string[];
}

const SECRETS = 'Microsoft.KeyVault/vaults/secrets';
/** Key Vault pages hold at most 25 items; `maxresults` may only lower that. */
const MAX_PAGE = 25;

interface Ctx {
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

export function createKeyVaultDataPlane(deps: KeyVaultDeps): KeyVaultDataPlane {
  const store = new SecretStore(
    () => Math.floor(deps.now() / 1000),
    () => randomHex(deps.random, 32),
  );

  const handler = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const vaultName = vaultNameFromHost(req.headers.host ?? url.host);
    if (!vaultName) return false;
    const requestId = guid(deps.random);
    const vault = deps.lookupVault(vaultName);
    if (!vault || vault.softDeleted) {
      // Azure: the vault's DNS name does not resolve. A clear 404 helps more than a dead socket.
      sendError(
        res,
        requestId,
        new KeyVaultError(
          404,
          'VaultNotFound',
          `The local cloud has no vault named '${vaultName}' (a deleted vault's host name does not resolve in Azure).`,
        ),
      );
      return true;
    }
    const ctx: Ctx = {
      req,
      res,
      url,
      vaultName,
      vault,
      requestId,
      policy: { purgeProtection: vault.purgeProtection, retentionDays: vault.softDeleteRetentionInDays },
      base: `https://${req.headers.host ?? url.host}/`,
    };
    try {
      await route(ctx);
    } catch (err) {
      if (err instanceof KeyVaultError) sendError(res, requestId, err, vault.location);
      else if (err instanceof SyntaxError)
        sendError(res, requestId, new KeyVaultError(400, 'BadParameter', 'The request body is not valid JSON.'));
      else throw err;
    }
    return true;
  };

  function authorize(ctx: Ctx, dataAction: string, objectPath: string): boolean {
    const token = bearerToken(ctx.req);
    const decision =
      token === undefined
        ? 'unauthenticated'
        : deps.authorize({ token, audience: VAULT_CHALLENGE_RESOURCE, resourceId: ctx.vault.resourceId, dataAction });
    if (decision === 'allowed') return true;
    if (decision === 'unauthenticated') {
      // The challenge the SDK's keyVaultAuthenticationPolicy answers: it reads `resource` (or
      // `scope`) for the token scope and the tenant from the `authorization` URL.
      const challenge = `Bearer authorization="https://login.microsoftonline.com/${deps.tenantId}", resource="${VAULT_CHALLENGE_RESOURCE}"`;
      const message = token === undefined ? 'AKV10000: Request is missing a Bearer or PoP token.' : 'AKV10022: Invalid audience or token.';
      sendJson(
        ctx.res,
        401,
        { error: { code: 'Unauthorized', message } },
        { 'www-authenticate': challenge, ...headers(ctx.requestId, ctx.vault.location) },
      );
      return false;
    }
    const message =
      'Caller is not authorized to perform action on resource.\r\n' +
      'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
      `Action: '${dataAction}'\r\n` +
      `Resource: '${ctx.vault.resourceId.toLowerCase()}${objectPath}'\r\n` +
      'Assignment: (not found)\r\n' +
      `Vault: ${ctx.vaultName};location=${ctx.vault.location}\r\n`;
    sendError(ctx.res, ctx.requestId, new KeyVaultError(403, 'Forbidden', message, 'ForbiddenByRbac'), ctx.vault.location);
    return false;
  }

  async function route(ctx: Ctx): Promise<void> {
    const method = ctx.req.method ?? 'GET';
    const parts = ctx.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [collection, name, third, fourth] = parts;
    const op = pickOperation(method, collection, name, third, fourth);
    if (!op) {
      const known = collection === 'secrets' || collection === 'deletedsecrets';
      throw new KeyVaultError(
        known ? 405 : 404,
        'NotImplemented',
        `The local cloud's Key Vault does not implement ${method} /${parts.join('/')} (secrets only; no keys, certificates, backup or restore).`,
      );
    }
    // Auth comes first: the SDK's first request is a bodiless probe that must get the challenge.
    if (!authorize(ctx, `${SECRETS}/${op.action}`, name ? `/secrets/${name}` : '')) return;
    if (!ctx.url.searchParams.get('api-version')) {
      throw new KeyVaultError(400, 'BadParameter', "The 'api-version' query parameter is missing.");
    }
    await op.run(ctx);
  }

  /** The operation a request names, with the RBAC data action Azure checks for it. */
  function pickOperation(
    method: string,
    collection?: string,
    name?: string,
    third?: string,
    fourth?: string,
  ): { action: string; run: (ctx: Ctx) => void | Promise<void> } | undefined {
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

  function ok(ctx: Ctx, body: unknown, status = 200): void {
    sendJson(ctx.res, status, body, headers(ctx.requestId, ctx.vault.location));
  }

  async function setSecret(ctx: Ctx, name: string): Promise<void> {
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

  function getSecret(ctx: Ctx, name: string, version: string | undefined): void {
    const found = store.get(ctx.vaultName, name, version);
    if (!found.version.enabled)
      throw new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    ok(ctx, secretBundle(ctx.base, found.record, found.version, ctx.policy, true));
  }

  async function updateSecret(ctx: Ctx, name: string, version: string | undefined): Promise<void> {
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

  function deleteSecret(ctx: Ctx, name: string): void {
    ok(ctx, deletedBundle(ctx.base, store.delete(ctx.vaultName, name, ctx.policy), ctx.policy));
  }

  function recover(ctx: Ctx, name: string): void {
    const record = store.recover(ctx.vaultName, name);
    ok(ctx, secretBundle(ctx.base, record, record.versions[record.versions.length - 1], ctx.policy, false));
  }

  function purge(ctx: Ctx, name: string): void {
    store.purge(ctx.vaultName, name, ctx.policy, ctx.vault.location);
    ok(ctx, undefined, 204);
  }

  function listSecrets(ctx: Ctx): void {
    page(
      ctx,
      store.list(ctx.vaultName).map((r) => secretItem(ctx.base, r, ctx.policy)),
    );
  }

  function listVersions(ctx: Ctx, name: string): void {
    const { record, versions } = store.versions(ctx.vaultName, name);
    page(
      ctx,
      versions.map((v) => versionItem(ctx.base, record, v, ctx.policy)),
    );
  }

  function listDeleted(ctx: Ctx): void {
    page(
      ctx,
      store.listDeleted(ctx.vaultName).map((d) => deletedItem(ctx.base, d, ctx.policy)),
    );
  }

  /** Key Vault paging: `maxresults` (1–25) per page, `$skiptoken` in an absolute `nextLink`. */
  function page(ctx: Ctx, items: unknown[]): void {
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

  return Object.assign(handler, {
    exportState: () => store.exportState(),
    importState: (state: SecretStoreState) => store.importState(state),
    dropVault: (vaultName: string) => store.dropVault(vaultName),
    setSecret: (vaultName: string, name: string, value: string) => void store.set(vaultName, name, { value }),
    enabledValues: (vaultName: string, name: string) => {
      try {
        const { record } = store.get(vaultName, name);
        return record.versions
          .filter((v) => v.enabled)
          .map((v) => v.value)
          .reverse();
      } catch {
        return [];
      }
    },
  });
}

function headers(requestId: string, location?: string): Record<string, string> {
  return {
    'x-ms-request-id': requestId,
    'cache-control': 'no-cache',
    ...(location ? { 'x-ms-keyvault-region': location } : {}),
    'x-ms-keyvault-service-version': 'gpuarb-local',
  };
}

function sendError(res: ServerResponse, requestId: string, err: KeyVaultError, location?: string): void {
  const error = { code: err.code, message: err.message, ...(err.innerCode ? { innererror: { code: err.innerCode } } : {}) };
  sendJson(res, err.status, { error }, headers(requestId, location));
}
