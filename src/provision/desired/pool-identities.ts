// Each GPU pool's own registry secret and the identity that alone reads it. Registry entries are
// signed with a key derived from the pool's secret (contracts/registry.ts), so a shell on a VM of
// one pool, which can ask IMDS for tokens of its own VM's identities only, can sign entries for
// that pool only. The VMs keep the shared agent identity for what every pool does alike (the
// internal key, the registry writes, the agent bundle); the pool identity holds one grant:
// Key Vault Secrets User on `registry-key-<pool>`. The gateway reads every pool's secret.
// Key Vault RBAC accepts a single secret as scope:
// https://learn.microsoft.com/azure/key-vault/general/rbac-guide
import type { DesiredResource } from '../types.js';
import { deterministicGuid, ref, resource, trackedOwned, type GraphContext } from './context.js';
import { ROLES } from './roles.js';

/** The Key Vault secret a pool's agents sign their registry entries with. */
export function registryKeySecretName(pool: string): string {
  return `registry-key-${pool}`;
}

/** The user-assigned identity of one pool's VMs (besides the shared agent identity). */
export function poolIdentityId(ctx: GraphContext, pool: string): string {
  return `${ctx.rgId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${ctx.names.agentIdentity}-${pool}`;
}

export interface PoolGrant {
  /** The identity's resource id. */
  principal: string;
  scope: string;
  label: string;
}

/** The Key Vault grants of the pool secrets: each pool identity its own, the gateway all of them. */
export function poolGrants(ctx: GraphContext): PoolGrant[] {
  return ctx.config.pools.flatMap((p) => {
    const scope = `${ctx.ids.keyVault}/secrets/${registryKeySecretName(p.name)}`;
    return [
      { principal: poolIdentityId(ctx, p.name), scope, label: `role/pool/${p.name}/registry-key` },
      { principal: ctx.ids.identities.gateway, scope, label: `role/gateway/registry-key-${p.name}` },
    ];
  });
}

export function poolIdentities(ctx: GraphContext): DesiredResource[] {
  const { ids } = ctx;
  const identities = ctx.config.pools.map((p) =>
    resource({
      id: poolIdentityId(ctx, p.name),
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
      label: `identity/pool/${p.name}`,
      body: { location: ctx.config.location, tags: ctx.tags },
      dependsOn: [ids.rg],
      owned: trackedOwned(ctx),
    }),
  );
  const secrets = ctx.config.pools.map((p) =>
    resource({
      id: `${ids.keyVault}/secrets/${registryKeySecretName(p.name)}`,
      type: 'Microsoft.KeyVault/vaults/secrets',
      label: `secret/${registryKeySecretName(p.name)}`,
      body: { tags: ctx.tags, properties: { contentType: 'text/plain; gpuarb registry key', attributes: { enabled: true } } },
      dependsOn: [ids.keyVault],
      owned: ['properties.contentType'],
      secret: { kind: 'random' },
    }),
  );
  const roleDefinitionId = `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES.keyVaultSecretsUser}`;
  const assignments = poolGrants(ctx).map((g) =>
    resource({
      id: `${g.scope}/providers/Microsoft.Authorization/roleAssignments/${deterministicGuid(g.scope, g.principal, ROLES.keyVaultSecretsUser)}`,
      type: 'Microsoft.Authorization/roleAssignments',
      label: g.label,
      body: {
        properties: { roleDefinitionId, principalId: ref(g.principal, 'properties.principalId'), principalType: 'ServicePrincipal' },
      },
      dependsOn: [g.scope, g.principal],
      owned: ['properties.roleDefinitionId', 'properties.principalId'],
      createOnly: ['properties.roleDefinitionId', 'properties.principalId'],
    }),
  );
  return [...identities, ...secrets, ...assignments];
}
