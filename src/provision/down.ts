// Down: delete the stack's resources, found by tag (never by memory), dependents first, then
// the resource group when nothing foreign is left in it. Key Vault and API Management are
// soft-deleted by Azure; `purge` also purges them where Azure allows (a vault with purge
// protection — ours — cannot be purged before its retention ends: its name stays reserved).
import type { ArmClient, ListedResource } from '../azure/arm-client.js';
import { apiVersionFor, nameOfId, typeOfId } from './api-versions.js';
import { errorInfo } from './apply.js';
import { isManagedType } from './plan.js';
import { deletedServiceId } from './soft-deleted-apim.js';
import { TAG_STACK } from './types.js';

/** Deletion order: dependents first. Types not listed go first (they depend on ours). */
const DELETE_ORDER = [
  'Microsoft.Insights/autoscaleSettings',
  'Microsoft.Insights/metricAlerts',
  'Microsoft.Insights/scheduledQueryRules',
  'Microsoft.ApiManagement/service',
  'Microsoft.Compute/virtualMachineScaleSets',
  'Microsoft.Web/sites',
  'Microsoft.Web/serverfarms',
  'Microsoft.Insights/actionGroups',
  'Microsoft.Insights/components',
  'Microsoft.OperationalInsights/workspaces',
  'Microsoft.DocumentDB/databaseAccounts',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.KeyVault/vaults',
  'Microsoft.ManagedIdentity/userAssignedIdentities',
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Network/networkSecurityGroups',
].map((t) => t.toLowerCase());

export interface DownTarget {
  stack: string;
  subscriptionId: string;
  resourceGroupId: string;
  location: string;
}

export interface DownResult {
  deleted: string[];
  failed: Array<{ id: string; code: string; message: string; hint?: string }>;
  /** Resources in the group that are not the stack's: the group is kept for them. */
  leftInGroup: string[];
  resourceGroupDeleted: boolean;
  purged: string[];
  purgeFailed: Array<{ id: string; message: string }>;
  /** Soft-deleted names still reserved (Key Vault with purge protection). */
  softDeleted: string[];
  /** Asked to purge, but Azure does not allow it (purge protection): not attempted, with why. */
  notPurgeable: Array<{ id: string; reason: string }>;
}

export async function listStackResources(arm: ArmClient, t: DownTarget, signal?: AbortSignal): Promise<ListedResource[]> {
  return (await arm.listByTag(t.resourceGroupId, TAG_STACK, t.stack, signal)).filter((r) => isManagedType(r.type ?? typeOfId(r.id)));
}

export async function destroyStack(
  arm: ArmClient,
  t: DownTarget,
  opts: { purge?: boolean; signal?: AbortSignal; parallel?: number; onDeleted?: (id: string) => void } = {},
): Promise<DownResult> {
  const result: DownResult = {
    deleted: [],
    failed: [],
    leftInGroup: [],
    resourceGroupDeleted: false,
    purged: [],
    purgeFailed: [],
    softDeleted: [],
    notPurgeable: [],
  };
  const ours = await listStackResources(arm, t, opts.signal);
  const rank = (r: ListedResource) => DELETE_ORDER.indexOf(r.type.toLowerCase());
  // Waves of equal rank run in parallel; a wave starts when the previous one is done.
  const ranks = [...new Set(ours.map(rank))].sort((a, b) => a - b);
  for (const k of ranks) {
    if (opts.signal?.aborted) break;
    await Promise.all(
      ours
        .filter((r) => rank(r) === k)
        .map(async (r) => {
          try {
            await arm.delete(r.id, apiVersionFor(r.type), opts.signal);
            result.deleted.push(r.id);
            opts.onDeleted?.(r.id);
          } catch (e) {
            result.failed.push({ id: r.id, ...errorInfo(e) });
          }
        }),
    );
  }
  const vaults = ours.filter((r) => r.type.toLowerCase() === 'microsoft.keyvault/vaults' && result.deleted.includes(r.id));
  const apims = ours.filter((r) => r.type.toLowerCase() === 'microsoft.apimanagement/service' && result.deleted.includes(r.id));
  if (result.failed.length === 0 && !opts.signal?.aborted) {
    const rg = (await arm.get(t.resourceGroupId, apiVersionFor('Microsoft.Resources/resourceGroups'), opts.signal)) as
      | { tags?: Record<string, string> }
      | undefined;
    const rgIsOurs = rg?.tags?.[TAG_STACK] === t.stack;
    const left = rg ? await arm.listResourceGroup(t.resourceGroupId, opts.signal) : [];
    result.leftInGroup = left.map((r) => r.id);
    if (rg && rgIsOurs && left.length === 0) {
      await arm.delete(t.resourceGroupId, apiVersionFor('Microsoft.Resources/resourceGroups'), opts.signal);
      result.resourceGroupDeleted = true;
      opts.onDeleted?.(t.resourceGroupId);
    }
  }
  const loc = `/subscriptions/${t.subscriptionId}/providers`;
  for (const v of vaults) {
    const name = nameOfId(v.id);
    const deletedId = `${loc}/Microsoft.KeyVault/locations/${t.location}/deletedVaults/${name}`;
    if (!opts.purge) {
      result.softDeleted.push(name);
      continue;
    }
    // Key Vault refuses to purge a vault with purge protection until its retention ends (and the
    // protection cannot be turned off): say so rather than send a purge that must fail.
    const record = (await arm.get(deletedId, apiVersionFor('Microsoft.KeyVault/vaults'), opts.signal)) as
      | { properties?: { purgeProtectionEnabled?: boolean; scheduledPurgeDate?: string } }
      | undefined;
    if (record?.properties?.purgeProtectionEnabled) {
      result.notPurgeable.push({
        id: name,
        reason:
          `purge protection is on: Key Vault purges it itself on ${record.properties.scheduledPurgeDate ?? 'the end of its retention'}; ` +
          'until then the name stays reserved and `gpuarb up` with the same stack recovers it.',
      });
      result.softDeleted.push(name);
      continue;
    }
    try {
      await arm.post(deletedId, 'purge', apiVersionFor('Microsoft.KeyVault/vaults'), undefined, opts.signal);
      result.purged.push(name);
    } catch (e) {
      result.purgeFailed.push({ id: name, message: errorInfo(e).message });
      result.softDeleted.push(name);
    }
  }
  for (const a of apims) {
    const name = nameOfId(a.id);
    if (!opts.purge) {
      result.softDeleted.push(name);
      continue;
    }
    try {
      await arm.delete(deletedServiceId(t.subscriptionId, t.location, name), apiVersionFor('Microsoft.ApiManagement/service'), opts.signal);
      result.purged.push(name);
    } catch (e) {
      result.purgeFailed.push({ id: name, message: errorInfo(e).message });
      result.softDeleted.push(name);
    }
  }
  return result;
}
