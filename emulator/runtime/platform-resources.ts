// What the platform runtime reads from the ARM store: the resource types it makes real, the
// function app's gateway config, and the key secrets it mirrors into files for the processes.
import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFileSync } from '../../lib/private-files.js';
import type { Json, Store } from '../core/store.js';
import type { SecretReader } from './apim-model.js';

export const RESOURCE_TYPES = {
  cosmos: 'Microsoft.DocumentDB/databaseAccounts',
  cosmosContainer: 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
  storage: 'Microsoft.Storage/storageAccounts',
  blobContainer: 'Microsoft.Storage/storageAccounts/blobServices/containers',
  queue: 'Microsoft.Storage/storageAccounts/queueServices/queues',
  vm: 'Microsoft.Compute/virtualMachines',
  vmss: 'Microsoft.Compute/virtualMachineScaleSets',
  siteExtension: 'Microsoft.Web/sites/extensions',
  site: 'Microsoft.Web/sites',
  apim: 'Microsoft.ApiManagement/service',
  vault: 'Microsoft.KeyVault/vaults',
  workspace: 'Microsoft.OperationalInsights/workspaces',
} as const;

export const KEY_SECRETS = { internal: 'internal-service-key', backend: 'inference-api-key' } as const;

/** The lower-cased resource group id `id` lives in. */
export const resourceGroupOf = (id: string): string => id.slice(0, id.toLowerCase().indexOf('/providers/')).toLowerCase();

/** The gateway config the function app carries (GPUARB_GATEWAY_CONFIG), as in Azure. */
export function gatewaySettings(store: Store, rg: string): Json | undefined {
  const settings = store.all().find((r) => r.doc.id.toLowerCase().startsWith(rg) && /\/config\/appsettings$/i.test(r.doc.id));
  const raw = settings?.doc.properties?.GPUARB_GATEWAY_CONFIG;
  return typeof raw === 'string' ? (JSON.parse(raw) as Json) : undefined;
}

/** Writes "current\nprevious" of each key secret of the (first) vault; atomic rename. */
export function writeKeyFiles(store: Store, secrets: SecretReader, fileFor: (secret: string) => string): void {
  const vault = store.all().find((r) => r.type.toLowerCase() === RESOURCE_TYPES.vault.toLowerCase())?.doc.name;
  if (!vault) return;
  for (const secret of Object.values(KEY_SECRETS)) {
    const values = secrets.versions(vault, secret).slice(0, 2);
    if (!values.length) continue;
    const file = fileFor(secret);
    const text = `${values.join('\n')}\n`;
    if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
    writePrivateFileSync(file, text);
  }
}
