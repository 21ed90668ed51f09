// API Management keeps a deleted service soft-deleted for 48 hours and refuses to create its
// name again until it is restored or purged (`ServiceAlreadyExistsInSoftDeletedState`,
// https://learn.microsoft.com/azure/api-management/soft-delete). `up` after `down` therefore
// restores the stack's own service rather than purging it: a restore brings back the customers'
// subscriptions with their keys (a purge would invalidate every key handed out), it is what `up`
// already does for the stack's Key Vault, and the PUT that follows converges the rest.
import type { ArmClient } from '../azure/arm-client.js';
import { nameOfId } from './api-versions.js';
import type { DesiredResource } from './types.js';

interface DeletedService {
  location?: string;
  properties?: { serviceId?: string; deletionDate?: string; scheduledPurgeDate?: string };
}

export function deletedServiceId(subscriptionId: string, location: string, name: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.ApiManagement/locations/${location}/deletedservices/${name}`;
}

/**
 * When the service about to be created is this stack's own soft-deleted one (same subscription,
 * resource group and name), restores it and says so; someone else's soft-deleted name is left
 * alone, so the create fails with Azure's error and its hint.
 */
export async function restoreOwnSoftDeletedApim(
  r: DesiredResource,
  body: Record<string, unknown>,
  arm: ArmClient,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const [, , sub] = r.id.split('/');
  const name = nameOfId(r.id);
  const location = String(body.location ?? '');
  const deleted = (await arm.get(deletedServiceId(sub, location, name), r.apiVersion, signal)) as DeletedService | undefined;
  if (!deleted || deleted.properties?.serviceId?.toLowerCase() !== r.id.toLowerCase()) return undefined;
  // A restore ignores every other property; the normal PUT right after applies the desired body.
  await arm.put(r.id, r.apiVersion, { location, properties: { restore: true } }, signal);
  return (
    `restored the soft-deleted API Management service ${name} (deleted ${deleted.properties?.deletionDate ?? 'recently'}): ` +
    'its customer subscriptions and keys are back. `gpuarb down --purge` removes it for good instead.'
  );
}
