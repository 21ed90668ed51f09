// Cosmos DB data-plane access below "Built-in Data Contributor": custom SQL role definitions with
// only the data actions each component performs, assigned per container. Cosmos accepts an
// account, a database (/dbs/<db>) or a container (/dbs/<db>/colls/<container>) as the scope of an
// assignment, and running a query through the SDK needs both executeQuery and readChangeFeed:
// https://learn.microsoft.com/azure/cosmos-db/nosql/security/reference-data-plane-actions
// https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac
import { CONTAINERS } from '../../../contracts/cosmos-containers.js';
import type { DesiredResource } from '../types.js';
import { type Component, deterministicGuid, ref, resource, type GraphContext } from './context.js';
import { COSMOS_DATABASE } from './data.js';

const ACTION = 'Microsoft.DocumentDB/databaseAccounts';
const ITEMS = `${ACTION}/sqlDatabases/containers/items`;
const QUERY = [`${ACTION}/sqlDatabases/containers/executeQuery`, `${ACTION}/sqlDatabases/containers/readChangeFeed`];

/** The custom role definitions: name → data actions. */
export const COSMOS_ROLES = {
  // cache, usage, jobs: the gateway reads, creates, upserts, patches (replace) and deletes items.
  'gpuarb-gateway-data': [
    `${ACTION}/readMetadata`,
    ...QUERY,
    `${ITEMS}/read`,
    `${ITEMS}/create`,
    `${ITEMS}/upsert`,
    `${ITEMS}/replace`,
    `${ITEMS}/delete`,
  ],
  // registry, gateway side: read only; a gateway never writes a replica entry.
  'gpuarb-registry-reader': [`${ACTION}/readMetadata`, ...QUERY, `${ITEMS}/read`],
  // registry, agent side: its heartbeat (upsert) and its removal on a clean stop (delete); no
  // query, so an agent cannot list the other replicas.
  'gpuarb-registry-writer': [`${ACTION}/readMetadata`, `${ITEMS}/upsert`, `${ITEMS}/delete`],
} as const;
type CosmosRole = keyof typeof COSMOS_ROLES;

/** Which component gets which role on which container. */
export const COSMOS_GRANTS: { component: Component; role: CosmosRole; container: string }[] = [
  { component: 'gateway', role: 'gpuarb-gateway-data', container: CONTAINERS.cache.id },
  { component: 'gateway', role: 'gpuarb-gateway-data', container: CONTAINERS.usage.id },
  { component: 'gateway', role: 'gpuarb-gateway-data', container: CONTAINERS.jobs.id },
  { component: 'gateway', role: 'gpuarb-registry-reader', container: CONTAINERS.registry.id },
  { component: 'agent', role: 'gpuarb-registry-writer', container: CONTAINERS.registry.id },
];

export function cosmosRoleDefinitionId(ctx: GraphContext, role: CosmosRole): string {
  return `${ctx.ids.cosmos}/sqlRoleDefinitions/${deterministicGuid(ctx.ids.cosmos, role)}`;
}

export function cosmosRoles(ctx: GraphContext): DesiredResource[] {
  const { ids } = ctx;
  const definitions = (Object.keys(COSMOS_ROLES) as CosmosRole[]).map((role) =>
    resource({
      id: cosmosRoleDefinitionId(ctx, role),
      type: 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions',
      label: `cosmos-role/${role}`,
      body: {
        properties: {
          roleName: role,
          type: 'CustomRole',
          assignableScopes: [ids.cosmos],
          permissions: [{ dataActions: [...COSMOS_ROLES[role]] }],
        },
      },
      dependsOn: [ids.cosmos],
      owned: ['properties.roleName', 'properties.assignableScopes', 'properties.permissions'],
    }),
  );
  const assignments = COSMOS_GRANTS.map((g) => {
    const identity = ids.identities[g.component];
    const scope = `${ids.cosmos}/dbs/${COSMOS_DATABASE}/colls/${g.container}`;
    const roleDefinitionId = cosmosRoleDefinitionId(ctx, g.role);
    return resource({
      id: `${ids.cosmos}/sqlRoleAssignments/${deterministicGuid(scope, identity, roleDefinitionId)}`,
      type: 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
      label: `cosmos-role/${g.component}/${g.container}`,
      body: { properties: { roleDefinitionId, principalId: ref(identity, 'properties.principalId'), scope } },
      dependsOn: [roleDefinitionId, identity, `${ids.cosmos}/sqlDatabases/${COSMOS_DATABASE}/containers/${g.container}`],
      owned: ['properties.roleDefinitionId', 'properties.principalId', 'properties.scope'],
    });
  });
  return [...definitions, ...assignments, ...operatorCosmosAssignment(ctx)];
}

/** Cosmos DB's built-in "Data Reader" (the same id under every account). */
export const COSMOS_BUILT_IN_DATA_READER = '00000000-0000-0000-0000-000000000001';

/**
 * The signed-in operator reads the registry and usage containers (`status`, `usage`) with its
 * Entra token; the account has local (key) auth disabled, so this SQL role assignment is its only
 * way in. Read only: no ops command writes Cosmos data.
 */
function operatorCosmosAssignment(ctx: GraphContext): DesiredResource[] {
  const { ids, operator } = ctx;
  if (!operator) return [];
  const roleDefinitionId = `${ids.cosmos}/sqlRoleDefinitions/${COSMOS_BUILT_IN_DATA_READER}`;
  return [
    resource({
      id: `${ids.cosmos}/sqlRoleAssignments/${deterministicGuid(ids.cosmos, operator.objectId, roleDefinitionId)}`,
      type: 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
      label: 'cosmos-role/operator/reader',
      body: { properties: { roleDefinitionId, principalId: operator.objectId, scope: ids.cosmos } },
      dependsOn: [ids.cosmos],
      owned: ['properties.roleDefinitionId', 'properties.principalId', 'properties.scope'],
    }),
  ];
}
