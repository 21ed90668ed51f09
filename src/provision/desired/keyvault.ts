// Key Vault in RBAC mode with purge protection, and the design's three secrets. Secret values
// are never part of the graph: apply generates them (only when the secret does not exist yet),
// so neither the snapshot, nor `plan --json`, nor a log ever holds one.
import type { ArmRef, DesiredResource } from '../types.js';
import { ref, resource, trackedOwned, type GraphContext } from './context.js';

export const SECRET_NAMES = {
  inferenceApiKey: 'inference-api-key',
  internalServiceKey: 'internal-service-key',
  vmssSshPrivateKey: 'vmss-ssh-private-key',
} as const;

export function keyVault(ctx: GraphContext): DesiredResource[] {
  const { ids } = ctx;
  const vault = resource({
    id: ids.keyVault,
    type: 'Microsoft.KeyVault/vaults',
    label: 'key vault',
    body: {
      location: ctx.config.location,
      tags: ctx.tags,
      properties: {
        // The tenant is the identity's: known to ARM only, so resolved at apply time.
        tenantId: ref(ids.identities.gateway, 'properties.tenantId'),
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        // Purge protection cannot be turned off again (Azure rule): a deleted vault keeps its
        // name for the retention period. 7 days is the minimum, so a recreated stack waits least.
        enablePurgeProtection: true,
        softDeleteRetentionInDays: 7,
        publicNetworkAccess: 'Enabled',
      },
    },
    dependsOn: [ids.rg, ids.identities.gateway],
    owned: trackedOwned(
      ctx,
      'properties.sku',
      'properties.enableRbacAuthorization',
      'properties.enablePurgeProtection',
      'properties.publicNetworkAccess',
    ),
    createOnly: ['properties.softDeleteRetentionInDays'],
  });
  const secret = (name: string, kind: 'random' | 'ssh-ed25519', contentType: string) =>
    resource({
      id: `${ids.keyVault}/secrets/${name}`,
      type: 'Microsoft.KeyVault/vaults/secrets',
      label: `secret/${name}`,
      body: { tags: ctx.tags, properties: { contentType, attributes: { enabled: true } } },
      dependsOn: [ids.keyVault],
      // Only the metadata is diffed: ARM never returns a value, and rotation is `gpuarb rotate`'s.
      owned: ['properties.contentType'],
      secret: { kind },
    });
  return [
    vault,
    secret(SECRET_NAMES.inferenceApiKey, 'random', 'text/plain; gpuarb backend key'),
    secret(SECRET_NAMES.internalServiceKey, 'random', 'text/plain; gpuarb internal key'),
    secret(SECRET_NAMES.vmssSshPrivateKey, 'ssh-ed25519', 'application/x-pem-file'),
  ];
}

/**
 * The data-plane URI of a secret, as Key Vault references and APIM named values need it, built
 * from the vault's own vaultUri (cloud-specific: vault.azure.net in Azure, the local cloud's
 * host otherwise) so no DNS suffix is guessed.
 */
export function secretUri(ctx: GraphContext, name: string, wrap: { prefix?: string; suffix?: string } = {}): ArmRef {
  return ref(ctx.ids.keyVault, 'properties.vaultUri', { prefix: wrap.prefix, suffix: `secrets/${name}${wrap.suffix ?? ''}` });
}
