// Least-privilege role assignments for the stack's one user-assigned identity (used by the
// function app, API Management and the scale sets). Each is scoped to the single resource that
// needs it; docs/security.md lists them with their reasons. Names are deterministic GUIDs of
// scope + principal + role so a rerun PUTs the same assignment instead of adding a duplicate.
import type { DesiredResource } from '../types.js';
import { deterministicGuid, ref, resource, type GraphContext } from './context.js';

/** Built-in role definition ids (the same GUIDs in every Azure tenant). */
export const ROLES = {
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0ffdb3bd9c9a',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

/** Cosmos DB data-plane built-in role "Cosmos DB Built-in Data Contributor". */
const COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002';

/** Id of the role assignment of `role` on `scope` to the stack identity (deterministic). */
export function roleAssignmentId(ctx: GraphContext, scope: string, role: keyof typeof ROLES): string {
  return `${scope}/providers/Microsoft.Authorization/roleAssignments/${deterministicGuid(scope, ctx.ids.identity, ROLES[role])}`;
}

interface Grant {
  scope: string;
  role: keyof typeof ROLES;
  label: string;
}

export function roleAssignments(ctx: GraphContext): DesiredResource[] {
  const { ids } = ctx;
  const principalId = ref(ids.identity, 'properties.principalId');
  const grants: Grant[] = [
    { scope: ids.keyVault, role: 'keyVaultSecretsUser', label: 'role/kv-secrets-user' },
    { scope: ids.storage, role: 'storageBlobDataOwner', label: 'role/blob-data-owner' },
    { scope: ids.storage, role: 'storageQueueDataContributor', label: 'role/queue-data-contributor' },
    { scope: ids.appInsights, role: 'monitoringMetricsPublisher', label: 'role/metrics-publisher' },
  ];
  const arm = grants.map((g) => {
    const roleDefinitionId = `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[g.role]}`;
    // The principal is named by the identity's resource id (stable) rather than its principalId
    // (known only after creation), so the graph stays pure.
    return resource({
      id: roleAssignmentId(ctx, g.scope, g.role),
      type: 'Microsoft.Authorization/roleAssignments',
      label: g.label,
      body: { properties: { roleDefinitionId, principalId, principalType: 'ServicePrincipal' } },
      dependsOn: [g.scope, ids.identity],
      owned: ['properties.roleDefinitionId', 'properties.principalId'],
      createOnly: ['properties.roleDefinitionId', 'properties.principalId'],
    });
  });
  const cosmosName = deterministicGuid(ids.cosmos, ids.identity, COSMOS_DATA_CONTRIBUTOR);
  const cosmos = resource({
    id: `${ids.cosmos}/sqlRoleAssignments/${cosmosName}`,
    type: 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
    label: 'role/cosmos-data-contributor',
    body: {
      properties: {
        roleDefinitionId: `${ids.cosmos}/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}`,
        principalId,
        scope: ids.cosmos,
      },
    },
    dependsOn: [ids.cosmos, ids.identity],
    owned: ['properties.roleDefinitionId', 'properties.principalId', 'properties.scope'],
  });
  return [...arm, cosmos];
}
