// Provisioning times per resource type. `fast` is zero everywhere (tests never wait); `realistic`
// is shaped like Azure's (sources and caveats in docs/emulator.md "Realistic profile"), and is
// multiplied by `latencyScale` so a demo can run Azure-shaped but ten times quicker.

export type Profile = 'fast' | 'realistic';

/** Seconds for a create/update of each type (lower-cased type → seconds); delete is `del`. */
const REALISTIC: Record<string, { put: number; del: number }> = {
  'microsoft.resources/resourcegroups': { put: 0, del: 15 },
  'microsoft.network/virtualnetworks': { put: 5, del: 10 },
  'microsoft.network/virtualnetworks/subnets': { put: 3, del: 5 },
  'microsoft.network/networksecuritygroups': { put: 3, del: 5 },
  'microsoft.keyvault/vaults': { put: 20, del: 0 },
  'microsoft.operationalinsights/workspaces': { put: 10, del: 10 },
  'microsoft.storage/storageaccounts': { put: 20, del: 0 },
  'microsoft.documentdb/databaseaccounts': { put: 240, del: 300 },
  'microsoft.documentdb/databaseaccounts/sqldatabases': { put: 20, del: 20 },
  'microsoft.documentdb/databaseaccounts/sqldatabases/containers': { put: 20, del: 20 },
  'microsoft.web/serverfarms': { put: 10, del: 5 },
  'microsoft.web/sites': { put: 45, del: 10 },
  'microsoft.web/sites/extensions': { put: 60, del: 0 },
  'microsoft.apimanagement/service': { put: 90, del: 60 },
  'microsoft.apimanagement/service/apis': { put: 5, del: 0 },
  'microsoft.compute/virtualmachinescalesets': { put: 30, del: 60 },
  'microsoft.compute/virtualmachines': { put: 90, del: 45 },
  'microsoft.compute/virtualmachinescalesets/extensions': { put: 30, del: 15 },
};

/** Default when a type has no entry: a few seconds, as most control-plane writes take. */
const DEFAULT_REALISTIC = { put: 3, del: 3 };

export function profileLatencyMs(profile: Profile, scale: number, type: string, op: 'put' | 'del'): number {
  if (profile === 'fast') return 0;
  const t = REALISTIC[type.toLowerCase()] ?? DEFAULT_REALISTIC;
  return Math.round(t[op] * 1000 * scale);
}
