// The Key Vault secrets data plane, as the real @azure/keyvault-secrets SecretClient drives it:
// challenge-based auth, set/get/versions/list/update, soft delete with recover and purge.
// Routed on the Host header (`<vault>.vault.localhost`, see vault-host.ts); state in SecretStore.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlaneHandler, KeyVaultDeps } from './deps.js';
import { bearerToken, guid, randomHex, sendJson } from './http-util.js';
import { createSecretOperations, responseHeaders, sendError, type VaultRequest } from './keyvault-secret-operations.js';
import { KeyVaultError, SecretStore, type SecretStoreState } from './keyvault-store.js';
import { VAULT_CHALLENGE_RESOURCE, vaultNameFromHost } from './vault-host.js';
import { acceptedVersions } from '../../contracts/secret-versions.js';

export interface KeyVaultDataPlane extends DataPlaneHandler {
  /** Plain-JSON state for the daemon to persist, and to load back on restart. */
  exportState(): SecretStoreState;
  importState(state: SecretStoreState): void;
  /** Call when a vault is purged in ARM: its secrets are gone for good. */
  dropVault(vaultName: string): void;
  /** A new version, as an ARM PUT of Microsoft.KeyVault/vaults/secrets creates one. */
  setSecret(vaultName: string, name: string, value: string): void;
  /** The values a consumer accepts now (the two newest enabled, unexpired versions), newest first; empty when none. */
  acceptedValues(vaultName: string, name: string): string[];
}

const SECRETS = 'Microsoft.KeyVault/vaults/secrets';

export function createKeyVaultDataPlane(deps: KeyVaultDeps): KeyVaultDataPlane {
  const store = new SecretStore(
    () => Math.floor(deps.now() / 1000),
    () => randomHex(deps.random, 32),
  );

  const { pickOperation } = createSecretOperations(store);

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
    const ctx: VaultRequest = {
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

  function authorize(ctx: VaultRequest, dataAction: string, objectPath: string): boolean {
    const token = bearerToken(ctx.req);
    const decision =
      token === undefined
        ? 'unauthenticated'
        : deps.authorize({
            token,
            audience: VAULT_CHALLENGE_RESOURCE,
            resourceId: ctx.vault.resourceId,
            scope: `${ctx.vault.resourceId}${objectPath}`,
            dataAction,
          });
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
        { 'www-authenticate': challenge, ...responseHeaders(ctx.requestId, ctx.vault.location) },
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

  async function route(ctx: VaultRequest): Promise<void> {
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

  return Object.assign(handler, {
    exportState: () => store.exportState(),
    importState: (state: SecretStoreState) => store.importState(state),
    dropVault: (vaultName: string) => store.dropVault(vaultName),
    setSecret: (vaultName: string, name: string, value: string) => void store.set(vaultName, name, { value }),
    acceptedValues: (vaultName: string, name: string) => {
      try {
        const { record } = store.get(vaultName, name);
        // What a consumer in Azure accepts (contracts/secret-versions.ts): an expired version is
        // out at once, before anyone disables it, so the key files the local cloud mirrors drop it.
        const byVersion = new Map(record.versions.map((v) => [v.version, v.value]));
        const infos = record.versions.map((v) => ({
          version: v.version,
          enabled: v.enabled,
          createdOn: v.created * 1000,
          expiresOn: v.exp === undefined ? null : v.exp * 1000,
          tags: v.tags ?? {},
        }));
        return acceptedVersions(infos, deps.now()).map((v) => byVersion.get(v.version) ?? '');
      } catch {
        return [];
      }
    },
  });
}
