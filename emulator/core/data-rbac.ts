// Data-plane authorisation of the local cloud, as Azure decides it: a principal may perform a data
// action on a resource when a role assignment written through ARM — at the resource, a parent
// scope (resource group, subscription) or, for Key Vault, a single secret — names a role whose
// `dataActions` cover it. Control-plane roles (Owner, Contributor, Reader) carry `actions` only,
// so they grant no data action. Cosmos DB's data plane has its own RBAC: SQL role definitions
// and assignments under the account (`sqlRoleAssignments`), never Azure RBAC roleAssignments.
// Built-in role ids and permissions: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
// Cosmos DB data actions and built-in roles: https://learn.microsoft.com/azure/cosmos-db/nosql/security/reference-data-plane-actions
import type { Json, Store } from './store.js';
import type { Principal } from './entra-tokens.js';

export interface RoleDefinition {
  name: string;
  actions: string[];
  dataActions: string[];
  notDataActions?: string[];
}

const CONTAINERS = 'Microsoft.Storage/storageAccounts/blobServices/containers';
const BLOBS = `${CONTAINERS}/blobs`;
const QUEUES = 'Microsoft.Storage/storageAccounts/queueServices/queues';
const MESSAGES = `${QUEUES}/messages`;

/** The built-in Azure roles the local cloud knows, by role definition id (the same in every tenant). */
export const BUILT_IN_ROLES: Record<string, RoleDefinition> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': { name: 'Owner', actions: ['*'], dataActions: [] },
  'b24988ac-6180-42a0-ab88-20f7382dd24c': { name: 'Contributor', actions: ['*'], dataActions: [] },
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': { name: 'Reader', actions: ['*/read'], dataActions: [] },
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': {
    name: 'Storage Blob Data Contributor',
    actions: [`${CONTAINERS}/delete`, `${CONTAINERS}/read`, `${CONTAINERS}/write`],
    dataActions: [`${BLOBS}/delete`, `${BLOBS}/read`, `${BLOBS}/write`, `${BLOBS}/move/action`, `${BLOBS}/add/action`],
  },
  'b7e6dc6d-f1e8-4753-8033-0ffdb3bd9c9a': { name: 'Storage Blob Data Owner', actions: [`${CONTAINERS}/*`], dataActions: [`${BLOBS}/*`] },
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1': {
    name: 'Storage Blob Data Reader',
    actions: [`${CONTAINERS}/read`],
    dataActions: [`${BLOBS}/read`],
  },
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': {
    name: 'Storage Queue Data Contributor',
    actions: [`${QUEUES}/delete`, `${QUEUES}/read`, `${QUEUES}/write`],
    dataActions: [`${MESSAGES}/delete`, `${MESSAGES}/read`, `${MESSAGES}/write`, `${MESSAGES}/process/action`],
  },
  '00482a5a-887f-4fb3-b363-3b7fe8e74483': { name: 'Key Vault Administrator', actions: [], dataActions: ['Microsoft.KeyVault/vaults/*'] },
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': {
    name: 'Key Vault Secrets Officer',
    actions: [],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/*'],
  },
  '4633458b-17de-408a-b874-0445c86b69e6': {
    name: 'Key Vault Secrets User',
    actions: [],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
  },
  '3913510d-42f4-4e42-8a64-420c390055eb': {
    name: 'Monitoring Metrics Publisher',
    actions: [],
    dataActions: ['Microsoft.Insights/Metrics/Write', 'Microsoft.Insights/Telemetry/Write'],
  },
};

const COSMOS = 'Microsoft.DocumentDB/databaseAccounts';
/** Cosmos DB's two built-in SQL roles (ids relative to the account). */
export const COSMOS_BUILT_IN_ROLES: Record<string, RoleDefinition> = {
  '00000000-0000-0000-0000-000000000001': {
    name: 'Cosmos DB Built-in Data Reader',
    actions: [],
    dataActions: [
      `${COSMOS}/readMetadata`,
      `${COSMOS}/sqlDatabases/containers/executeQuery`,
      `${COSMOS}/sqlDatabases/containers/readChangeFeed`,
      `${COSMOS}/sqlDatabases/containers/items/read`,
    ],
  },
  '00000000-0000-0000-0000-000000000002': {
    name: 'Cosmos DB Built-in Data Contributor',
    actions: [],
    dataActions: [`${COSMOS}/readMetadata`, `${COSMOS}/sqlDatabases/containers/*`, `${COSMOS}/sqlDatabases/containers/items/*`],
  },
};

/** How long a new assignment takes to take effect (Azure: "up to 10 minutes"); 0 = at once. */
export interface RbacSettings {
  propagationMs: number;
}

const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(action);

/** `scope` covers `resource` when it is the resource itself or one of its parents. */
export function scopeCovers(scope: string, resource: string): boolean {
  const s = scope.replace(/\/+$/, '').toLowerCase();
  const r = resource.replace(/\/+$/, '').toLowerCase();
  return r === s || r.startsWith(`${s}/`);
}

function effective(doc: Json, settings: RbacSettings, now: number): boolean {
  if (settings.propagationMs <= 0) return true;
  const created = Date.parse(doc.systemData?.createdAt ?? doc.properties?.createdOn ?? '');
  return Number.isNaN(created) || created + settings.propagationMs <= now;
}

const lastSegment = (id: string) => id.split('/').pop()?.toLowerCase() ?? '';

/**
 * Storage's `…/add/action` (create a new blob, put a message) is also granted by `…/write`: the
 * Data Contributor roles list `write` and can add (Queue Data Contributor lists no `add` at all).
 */
const alsoGrantedBy = (action: string) =>
  action.endsWith('/add/action') ? [action, action.replace(/\/add\/action$/, '/write')] : [action];

function permits(role: RoleDefinition | undefined, action: string, kind: 'actions' | 'dataActions'): boolean {
  if (!role) return false;
  return alsoGrantedBy(action).some((a) => {
    if (kind === 'dataActions' && (role.notDataActions ?? []).some((p) => matches(p, a))) return false;
    return role[kind].some((p) => matches(p, a));
  });
}

/** The Azure RBAC assignments of `principal` that cover `resource` and have taken effect. */
function assignmentsFor(store: Store, principal: Principal, resource: string, settings: RbacSettings, now: number): Json[] {
  return store
    .all()
    .filter((r) => r.type.toLowerCase() === 'microsoft.authorization/roleassignments')
    .map((r) => r.doc)
    .filter((d) => d.properties?.principalId === principal.oid && scopeCovers(d.properties.scope ?? '', resource))
    .filter((d) => effective(d, settings, now));
}

/** Whether `principal` may perform the Azure RBAC data action `dataAction` on `resource` (an ARM id, or below one). */
export function allowedDataAction(
  store: Store,
  principal: Principal,
  resource: string,
  dataAction: string,
  settings: RbacSettings = { propagationMs: 0 },
  now = Date.now(),
): boolean {
  return assignmentsFor(store, principal, resource, settings, now).some((d) =>
    permits(BUILT_IN_ROLES[lastSegment(d.properties.roleDefinitionId ?? '')], dataAction, 'dataActions'),
  );
}

/**
 * Whether `principal` holds the control-plane `action` on `resource` (e.g. a Log Analytics query,
 * which Reader grants). The operator is Owner of the local subscription, as whoever created it is.
 */
export function allowedAction(
  store: Store,
  principal: Principal,
  resource: string,
  action: string,
  operatorOid: string,
  settings: RbacSettings = { propagationMs: 0 },
  now = Date.now(),
): boolean {
  if (principal.oid === operatorOid) return true;
  return assignmentsFor(store, principal, resource, settings, now).some((d) =>
    permits(BUILT_IN_ROLES[lastSegment(d.properties.roleDefinitionId ?? '')], action, 'actions'),
  );
}

/**
 * Whether `principal` may perform the Cosmos DB data action on `resource` of `accountId`
 * (`<accountId>`, `<accountId>/dbs/<db>` or `<accountId>/dbs/<db>/colls/<container>`), through the
 * account's SQL role assignments and definitions (built-in or custom).
 */
export function allowedCosmosAction(
  store: Store,
  principal: Principal,
  accountId: string,
  resource: string,
  dataAction: string,
  settings: RbacSettings = { propagationMs: 0 },
  now = Date.now(),
): boolean {
  const children = store.descendants(accountId).map((r) => r.doc);
  const definition = (id: string): RoleDefinition | undefined => {
    const builtIn = COSMOS_BUILT_IN_ROLES[lastSegment(id)];
    if (builtIn) return builtIn;
    const custom = children.find((d) => d.id.toLowerCase() === id.toLowerCase() && /\/sqlRoleDefinitions\//i.test(d.id));
    const dataActions = (custom?.properties?.permissions ?? []).flatMap((p: Json) => p.dataActions ?? []);
    return custom ? { name: custom.properties.roleName, actions: [], dataActions } : undefined;
  };
  return children
    .filter((d) => /\/sqlRoleAssignments\//i.test(d.id) && d.properties?.principalId === principal.oid)
    .filter((d) => scopeCovers(d.properties.scope ?? accountId, resource) && effective(d, settings, now))
    .some((d) => permits(definition(d.properties.roleDefinitionId ?? ''), dataAction, 'dataActions'));
}
