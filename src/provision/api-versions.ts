// One api-version per resource type, the single source for graph, plan, apply and down.
// Where vendor/azure-rest-api-specs holds Microsoft's REST spec for a family we use that exact version
// (bodies were checked against it); the others are the newest stable versions in Microsoft's
// published specs for those types.
export const API_VERSIONS: Readonly<Record<string, string>> = {
  'Microsoft.Resources/resourceGroups': '2025-04-01',
  'Microsoft.Network/virtualNetworks': '2025-05-01',
  'Microsoft.Network/networkSecurityGroups': '2025-05-01',
  'Microsoft.Network/natGateways': '2025-05-01',
  'Microsoft.Network/publicIPAddresses': '2025-05-01',
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2024-11-30',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.KeyVault/vaults': '2026-02-01',
  'Microsoft.KeyVault/vaults/secrets': '2026-02-01',
  'Microsoft.OperationalInsights/workspaces': '2023-09-01',
  'Microsoft.OperationalInsights/workspaces/tables': '2023-09-01',
  'Microsoft.Insights/dataCollectionEndpoints': '2023-03-11',
  'Microsoft.Insights/dataCollectionRules': '2023-03-11',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.Insights/actionGroups': '2023-01-01',
  'Microsoft.Insights/metricAlerts': '2018-03-01',
  'Microsoft.Insights/scheduledQueryRules': '2023-12-01',
  'Microsoft.Insights/autoscaleSettings': '2022-10-01',
  'Microsoft.Storage/storageAccounts': '2025-08-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2025-08-01',
  'Microsoft.Storage/storageAccounts/queueServices/queues': '2025-08-01',
  'Microsoft.DocumentDB/databaseAccounts': '2025-10-15',
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases': '2025-10-15',
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers': '2025-10-15',
  'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments': '2025-10-15',
  'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions': '2025-10-15',
  'Microsoft.Web/serverfarms': '2025-05-01',
  'Microsoft.Web/sites': '2025-05-01',
  'Microsoft.Web/sites/config': '2025-05-01',
  'Microsoft.Web/sites/extensions': '2025-05-01',
  'Microsoft.Compute/virtualMachineScaleSets': '2025-04-01',
  'Microsoft.ApiManagement/service': '2024-05-01',
  'Microsoft.ApiManagement/service/apis': '2024-05-01',
  'Microsoft.ApiManagement/service/apis/policies': '2024-05-01',
  'Microsoft.ApiManagement/service/backends': '2024-05-01',
  'Microsoft.ApiManagement/service/namedValues': '2024-05-01',
  'Microsoft.ApiManagement/service/policies': '2024-05-01',
  'Microsoft.ApiManagement/service/products': '2024-05-01',
  'Microsoft.ApiManagement/service/products/apis': '2024-05-01',
  'Microsoft.ApiManagement/service/products/policies': '2024-05-01',
};

/** The api-version for a type (case-insensitive, as ARM types are). Throws for unknown types. */
export function apiVersionFor(type: string): string {
  const hit = API_VERSION_BY_LOWER.get(type.toLowerCase());
  if (!hit) throw new Error(`no api-version known for resource type ${type}`);
  return hit;
}

const API_VERSION_BY_LOWER = new Map(Object.entries(API_VERSIONS).map(([t, v]) => [t.toLowerCase(), v]));

/** Name of an ARM id: its last segment. */
export function nameOfId(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

/** Type of an ARM id: "Microsoft.X/a/b" from ".../providers/Microsoft.X/a/n1/b/n2". */
export function typeOfId(id: string): string {
  const idx = id.toLowerCase().lastIndexOf('/providers/');
  if (idx < 0) return /\/resourceGroups\/[^/]+$/i.test(id) ? 'Microsoft.Resources/resourceGroups' : 'unknown';
  const parts = id.slice(idx + '/providers/'.length).split('/');
  const types = [parts[0]];
  for (let i = 1; i < parts.length; i += 2) types.push(parts[i]);
  return types.join('/');
}
