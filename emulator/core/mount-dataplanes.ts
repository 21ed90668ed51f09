// Wires the data planes of emulator/dataplanes/ (their contract: dataplanes/deps.ts) to the
// ARM core: vault lookups and workspace ids from the store, the emulator's one token, the
// seeded RNG. The IMDS Scheduled Events service plugs in as the eviction sink, and its
// acknowledgements expedite evictions as Azure does.
import { createHttpsDataPlanes, type DataPlaneHandler, type KeyVaultDeps, type LogAnalyticsDeps, type ScheduledEventsService } from '../dataplanes/index.js';
import type { EmulatorCore } from './emulator-core.js';
import { TENANT_ID } from './documents.js';
import { lookupVault } from '../types/keyvault.js';

export function mountHttpsDataPlanes(core: EmulatorCore, token: string): DataPlaneHandler[] {
  const deps: KeyVaultDeps & LogAnalyticsDeps = {
    now: () => Date.now(),
    random: () => core.rng.next(),
    tenantId: TENANT_ID,
    // One principal, one token: every valid token may do everything (no data-plane RBAC yet).
    authorize: (r) => (r.token === token ? 'allowed' : 'unauthenticated'),
    lookupVault: (name) => lookupVault(core, name),
    workspaceExists: (customerId) => core.store.all().some((r) => r.type.toLowerCase() === 'microsoft.operationalinsights/workspaces' && r.doc.properties?.customerId === customerId),
  };
  return createHttpsDataPlanes(deps).handlers;
}

/** Makes the IMDS service the Preempt sink; a VM's StartRequests ack evicts it at once. */
export function connectScheduledEvents(core: EmulatorCore, service: ScheduledEventsService): void {
  core.registerService('scheduledEvents', service);
  service.events.on('acknowledged', (_vm: string, event: { EventId: string }) => {
    core.service<{ expedite(id: string): void }>('evictions').expedite(event.EventId);
  });
}
