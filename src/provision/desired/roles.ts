// Least-privilege role assignments, one identity per component (foundation.ts): each grant names
// the component that needs it and is scoped to the single resource (down to one Key Vault secret)
// it uses; docs/security.md lists them with their reasons. Names are deterministic GUIDs of
// scope + principal + role so a rerun PUTs the same assignment instead of adding a duplicate.
// Key Vault RBAC accepts a secret as scope ("Key Vault Secrets User" on one secret):
// https://learn.microsoft.com/azure/key-vault/general/rbac-guide
import type { DesiredResource } from '../types.js';
import { cosmosRoles } from './cosmos-roles.js';
import { type Component, deterministicGuid, ref, resource, type GraphContext } from './context.js';
import { SECRET_NAMES } from './keyvault.js';
import { logPipelineIds } from './log-pipeline.js';
import { DEPLOYMENT_CONTAINER } from './data.js';

/** Built-in role definition ids (the same GUIDs in every Azure tenant). */
export const ROLES = {
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0ffdb3bd9c9a',
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

/** Id of the role assignment of `role` on `scope` to `component`'s identity (deterministic). */
export function roleAssignmentId(ctx: GraphContext, component: Component, scope: string, role: keyof typeof ROLES): string {
  return `${scope}/providers/Microsoft.Authorization/roleAssignments/${deterministicGuid(scope, ctx.ids.identities[component], ROLES[role])}`;
}

export interface Grant {
  component: Component;
  scope: string;
  role: keyof typeof ROLES;
  label: string;
}

/** Every Azure RBAC grant of the stack: what each component's identity may do, and nothing more. */
export function grants(ctx: GraphContext): Grant[] {
  const { ids } = ctx;
  const secret = (name: string) => `${ids.keyVault}/secrets/${name}`;
  const logRule = logPipelineIds(ctx).rule;
  return [
    // Both log writers post through the Logs Ingestion API, which checks this role on the rule.
    { component: 'gateway', scope: logRule, role: 'monitoringMetricsPublisher', label: 'role/gateway/log-writer' },
    { component: 'agent', scope: logRule, role: 'monitoringMetricsPublisher', label: 'role/agent/log-writer' },
    // The gateway: both keys it checks and sends; the Functions host's storage; the jobs queue; telemetry.
    { component: 'gateway', scope: secret(SECRET_NAMES.inferenceApiKey), role: 'keyVaultSecretsUser', label: 'role/gateway/backend-key' },
    {
      component: 'gateway',
      scope: secret(SECRET_NAMES.internalServiceKey),
      role: 'keyVaultSecretsUser',
      label: 'role/gateway/internal-key',
    },
    { component: 'gateway', scope: ids.storage, role: 'storageBlobDataOwner', label: 'role/gateway/blob-data-owner' },
    { component: 'gateway', scope: ids.storage, role: 'storageQueueDataContributor', label: 'role/gateway/queue-data-contributor' },
    { component: 'gateway', scope: ids.appInsights, role: 'monitoringMetricsPublisher', label: 'role/gateway/metrics-publisher' },
    // API Management: the one secret behind its backend-key named value.
    { component: 'apim', scope: secret(SECRET_NAMES.inferenceApiKey), role: 'keyVaultSecretsUser', label: 'role/apim/backend-key' },
    // The GPU VMs: the key callers present (and registry entries are signed with), and the
    // agent bundle in the deployments container, read only.
    { component: 'agent', scope: secret(SECRET_NAMES.internalServiceKey), role: 'keyVaultSecretsUser', label: 'role/agent/internal-key' },
    {
      component: 'agent',
      scope: `${ids.storage}/blobServices/default/containers/deployments`,
      role: 'storageBlobDataReader',
      label: 'role/agent/bundle-reader',
    },
  ];
}

/** The data roles the signed-in operator itself uses (Owner or Contributor grant no data action). */
export interface OperatorGrant {
  scope: string;
  role: keyof typeof ROLES;
  label: string;
}

export function operatorGrants(ctx: GraphContext): OperatorGrant[] {
  if (!ctx.operator) return [];
  return [
    // `up` uploads the gateway package and agent bundle into the deployments container.
    {
      scope: `${ctx.ids.storage}/blobServices/default/containers/${DEPLOYMENT_CONTAINER}`,
      role: 'storageBlobDataContributor',
      label: 'role/operator/deployments-writer',
    },
    // `secrets rotate`, `keys` and `up`'s secret checks read and write the stack's secrets.
    { scope: ctx.ids.keyVault, role: 'keyVaultSecretsOfficer', label: 'role/operator/secrets-officer' },
  ];
}

export function operatorRoleAssignmentId(ctx: GraphContext, g: OperatorGrant): string {
  const oid = ctx.operator?.objectId ?? '';
  return `${g.scope}/providers/Microsoft.Authorization/roleAssignments/${deterministicGuid(g.scope, oid, ROLES[g.role])}`;
}

function operatorRoleAssignments(ctx: GraphContext): DesiredResource[] {
  const operator = ctx.operator;
  if (!operator) return [];
  return operatorGrants(ctx).map((g) =>
    resource({
      id: operatorRoleAssignmentId(ctx, g),
      type: 'Microsoft.Authorization/roleAssignments',
      label: g.label,
      body: {
        properties: {
          roleDefinitionId: `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[g.role]}`,
          principalId: operator.objectId,
          principalType: operator.principalType,
        },
      },
      dependsOn: [g.scope],
      owned: ['properties.roleDefinitionId', 'properties.principalId'],
      createOnly: ['properties.roleDefinitionId', 'properties.principalId'],
    }),
  );
}

export function roleAssignments(ctx: GraphContext): DesiredResource[] {
  const arm = grants(ctx).map((g) => {
    const identity = ctx.ids.identities[g.component];
    const roleDefinitionId = `/subscriptions/${ctx.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[g.role]}`;
    // The principal is named by the identity's resource id (stable) rather than its principalId
    // (known only after creation), so the graph stays pure.
    return resource({
      id: roleAssignmentId(ctx, g.component, g.scope, g.role),
      type: 'Microsoft.Authorization/roleAssignments',
      label: g.label,
      body: { properties: { roleDefinitionId, principalId: ref(identity, 'properties.principalId'), principalType: 'ServicePrincipal' } },
      dependsOn: [g.scope, identity],
      owned: ['properties.roleDefinitionId', 'properties.principalId'],
      createOnly: ['properties.roleDefinitionId', 'properties.principalId'],
    });
  });
  return [...arm, ...operatorRoleAssignments(ctx), ...cosmosRoles(ctx)];
}
