// Microsoft.KeyVault/vaults (+ secrets via ARM): name rules, global names, purge protection that
// cannot be turned off, soft delete on delete (the name stays taken), deletedVaults list/get/purge.
import type { EmulatorCore } from '../core/emulator-core.js';
import { ArmError } from '../core/errors.js';
import { send } from '../core/http.js';
import type { Json } from '../core/store.js';
import { TENANT_ID } from '../core/documents.js';

const VAULT_TYPE = 'Microsoft.KeyVault/vaults';
const VAULT_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

/** `properties.vaultUri`: host-based, as the Key Vault data plane routes (dataplanes/vault-host.ts). */
function vaultUri(core: EmulatorCore, name: string): string {
  const port = new URL(core.endpoint()).port;
  return `https://${name.toLowerCase()}.vault.localhost:${port}/`;
}

export function registerKeyVault(core: EmulatorCore): void {
  const deleted = core.store.sideTable('deletedVaults');
  core.behaviors.register({
    type: VAULT_TYPE,
    lro: { put: 'sync', delete: 'sync' },
    patch: true,
    validate(ctx, body, existing) {
      const name = ctx.path.names[0];
      if (!VAULT_NAME.test(name)) {
        throw new ArmError(
          400,
          'VaultNameNotValid',
          `The vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric ` +
            `characters. The name must begin with a letter, end with a letter or digit, and not ` +
            `contain consecutive hyphens. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742`,
        );
      }
      const taken = core.store
        .all()
        .find(
          (r) =>
            r.type === VAULT_TYPE && r.doc.name.toLowerCase() === name.toLowerCase() && r.doc.id.toLowerCase() !== ctx.id.toLowerCase(),
        );
      if (taken)
        throw new ArmError(
          409,
          'VaultAlreadyExists',
          `The vault name '${name}' is already in use. Vault names are globally unique so it ` +
            `is possible that the name is already taken. If you are sure that the vault name ` +
            `was not taken then it is possible that a vault with the same name was recently deleted ` +
            `but not purged after being placed in a recoverable state. If the vault is in a recoverable ` +
            `state then the vault will need to be purged before reusing the name.`,
        );
      if (!existing && deleted.has(name.toLowerCase()) && body.properties?.createMode !== 'recover') {
        throw new ArmError(
          409,
          'ConflictError',
          `A vault with the same name already exists in deleted state. You need to either recover ` +
            `or purge existing deleted vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 ` +
            `for more information on soft delete.`,
        );
      }
      if (!body.properties?.tenantId || (!body.sku?.name && !body.properties?.sku?.name)) {
        throw new ArmError(400, 'BadRequest', "The parameters 'properties.tenantId' and 'properties.sku' are required.");
      }
      if (existing?.properties?.enablePurgeProtection === true && body.properties?.enablePurgeProtection === false) {
        throw new ArmError(
          400,
          'BadRequest',
          'The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.',
        );
      }
      if (body.properties?.enableSoftDelete === false) {
        throw new ArmError(
          400,
          'BadRequest',
          'The property "enableSoftDelete" cannot be set to false. Soft delete is always enabled for new vaults.',
        );
      }
    },
    prepare(_ctx, doc, existing) {
      const p = doc.properties;
      p.vaultUri = vaultUri(core, doc.name);
      p.enableSoftDelete = true;
      p.softDeleteRetentionInDays ??= 90;
      if (existing?.properties?.enablePurgeProtection) p.enablePurgeProtection = true;
      p.tenantId ??= TENANT_ID;
      p.accessPolicies ??= [];
      delete p.createMode;
      deleted.delete(doc.name.toLowerCase()); // recovered
    },
    async onDelete(ctx, doc) {
      const now = new Date();
      const purgeAt = new Date(now.getTime() + (doc.properties.softDeleteRetentionInDays ?? 90) * 86400_000);
      deleted.set(doc.name.toLowerCase(), {
        id: `/subscriptions/${ctx.core.subscriptionId}/providers/Microsoft.KeyVault/locations/${doc.location}/deletedVaults/${doc.name}`,
        name: doc.name,
        type: 'Microsoft.KeyVault/deletedVaults',
        properties: {
          vaultId: doc.id,
          location: doc.location,
          deletionDate: now.toISOString(),
          scheduledPurgeDate: purgeAt.toISOString(),
          tags: doc.tags ?? {},
          purgeProtectionEnabled: doc.properties.enablePurgeProtection === true,
        },
      });
      core.store.changed();
    },
  });
  core.behaviors.register({ type: `${VAULT_TYPE}/secrets`, patch: true, present: hideSecretValue });

  const base = '^/subscriptions/[^/]+/providers/Microsoft\\.KeyVault';
  core.route('GET', new RegExp(`${base}/deletedVaults$`, 'i'), async (_c, _q, res) => send(res, 200, { value: [...deleted.values()] }));
  core.route('GET', new RegExp(`${base}/locations/[^/]+/deletedVaults/([^/]+)$`, 'i'), async (_c, _q, res, _u, m) => {
    const d = deleted.get(m[1].toLowerCase());
    if (!d) throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.KeyVault/deletedVaults/${m[1]}' was not found.`);
    send(res, 200, d);
  });
  core.route('POST', new RegExp(`${base}/locations/([^/]+)/deletedVaults/([^/]+)/purge$`, 'i'), async (_c, _q, res, url, m) => {
    const d = deleted.get(m[2].toLowerCase());
    if (!d) throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.KeyVault/deletedVaults/${m[2]}' was not found.`);
    if (d.properties.purgeProtectionEnabled) {
      throw new ArmError(
        409,
        'Conflict',
        `Operation "purge" is not allowed because purge protection is enabled for this vault. ` +
          `Key Vault service will automatically purge it after the retention period has passed.`,
      );
    }
    deleted.delete(m[2].toLowerCase());
    core.store.changed();
    const op = await core.operations.start('Microsoft.KeyVault', m[1], 0, async () => undefined);
    const vaultId = `/subscriptions/${core.subscriptionId}/resourceGroups/x/providers/Microsoft.KeyVault/vaults/${m[2]}`;
    const ctx = core.contextFor(vaultId, 'POST');
    if (!ctx) throw new Error(`No operation context for ${vaultId}: not a provider path.`);
    ctx.apiVersion = url.searchParams.get('api-version') ?? '';
    send(res, 202, undefined, core.lroHeaders(op, ctx, ['location']));
  });
}

/** For the Key Vault data plane (dataplanes/deps.ts VaultInfo). */
export function lookupVault(
  core: EmulatorCore,
  name: string,
): { resourceId: string; location: string; softDeleted: boolean; purgeProtection: boolean; softDeleteRetentionInDays: number } | undefined {
  const live = core.store.all().find((r) => r.type === VAULT_TYPE && r.doc.name.toLowerCase() === name.toLowerCase())?.doc;
  const gone = core.store.sideTable('deletedVaults').get(name.toLowerCase());
  const doc =
    live ??
    (gone
      ? {
          id: gone.properties.vaultId,
          location: gone.properties.location,
          properties: { enablePurgeProtection: gone.properties.purgeProtectionEnabled },
        }
      : undefined);
  if (!doc) return undefined;
  return {
    resourceId: doc.id,
    location: doc.location,
    softDeleted: !live,
    purgeProtection: doc.properties?.enablePurgeProtection === true,
    softDeleteRetentionInDays: doc.properties?.softDeleteRetentionInDays ?? 90,
  };
}

/** ARM never returns a secret's value from the management plane; only the data plane does. */
function hideSecretValue(d: Json): Json {
  delete d.properties.value;
  return d;
}
