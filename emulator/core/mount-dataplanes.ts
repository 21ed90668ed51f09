// Wires the data planes of emulator/dataplanes/ (their contract: dataplanes/deps.ts) to the
// ARM core: vault lookups and workspace ids from the store, the data-plane authoriser (tokens
// and role assignments, core/data-auth.ts), the seeded RNG. The IMDS Scheduled Events service plugs in as the eviction sink, and its
// acknowledgements expedite evictions as Azure does.
import {
  createHttpsDataPlanes,
  type HttpsDataPlanes,
  type KeyVaultDeps,
  type LogAnalyticsDeps,
  type ScheduledEventsService,
} from '../dataplanes/index.js';
import type { SecretStoreState } from '../dataplanes/keyvault-store.js';
import type { EmulatorCore } from './emulator-core.js';
import { TENANT_ID } from './documents.js';
import { lookupVault } from '../providers/keyvault.js';
import { logPipelineView } from '../providers/monitoring-logs.js';
import type { DataAuth } from './data-auth.js';
import {
  createPlacementScoresHandler,
  createResourceGraphHandler,
  PLACEMENT_SCORES_PATH,
  RESOURCE_GRAPH_PATH,
} from '../dataplanes/resource-graph.js';

export function mountHttpsDataPlanes(core: EmulatorCore, auth: DataAuth): HttpsDataPlanes {
  const deps: KeyVaultDeps & LogAnalyticsDeps = {
    now: () => Date.now(),
    random: () => core.rng.next(),
    tenantId: TENANT_ID,
    // A vault in access-policy mode (enableRbacAuthorization false) is not modelled: any valid
    // token may use it. Every other check is Azure RBAC on the role assignments in the store.
    authorize: (r) => {
      const vault =
        r.resourceId && /\/providers\/Microsoft\.KeyVault\/vaults\//i.test(r.resourceId) ? core.store.get(r.resourceId) : undefined;
      if (vault && vault.doc.properties?.enableRbacAuthorization !== true) return auth.principal(r.token) ? 'allowed' : 'unauthenticated';
      return auth.authorize(r);
    },
    lookupVault: (name) => lookupVault(core, name),
    ...logPipelineView(core.store),
    // The caller's principal is the verified token's object id, as for every other data plane.
    ingestion: { ...logPipelineView(core.store), principalOf: (t) => auth.principal(t)?.oid },
    workspaceExists: (customerId) =>
      core.store
        .all()
        .some((r) => r.type.toLowerCase() === 'microsoft.operationalinsights/workspaces' && r.doc.properties?.customerId === customerId),
  };
  const planes = createHttpsDataPlanes(deps);
  persistSecrets(core, planes);
  // An ARM PUT of vaults/secrets creates a version the data plane serves, as in Azure.
  core.behaviors.addHook('Microsoft.KeyVault/vaults/secrets', {
    provisioned: async (doc) => {
      const value = doc.properties?.value;
      const vault = doc.id.split('/vaults/')[1].split('/')[0];
      if (typeof value === 'string' && planes.keyVault.acceptedValues(vault, doc.name)[0] !== value) {
        planes.keyVault.setSecret(vault, doc.name, value);
        saveSecrets(core, planes);
      }
    },
  });
  return planes;
}

/**
 * Resource Graph and Spot Placement Score are ARM paths (token, api-version): routes of the core,
 * mounted whether or not the HTTPS data planes are.
 */
export function mountSpotData(core: EmulatorCore): void {
  const graph = createResourceGraphHandler({ subscriptionId: core.subscriptionId, now: () => Date.now() });
  const scores = createPlacementScoresHandler();
  core.route('POST', RESOURCE_GRAPH_PATH, (_c, req, res, url, m) => graph(req, res, url, m));
  core.route('POST', PLACEMENT_SCORES_PATH, (_c, req, res, url, m) => scores(req, res, url, m));
}

const SECRETS_SIDE_TABLE = 'keyVaultDataPlane';

/** Secret values live in the data plane's store; keep them in the persisted state so a daemon restart keeps them. */
function persistSecrets(core: EmulatorCore, planes: HttpsDataPlanes): void {
  const saved = core.store.sideTable(SECRETS_SIDE_TABLE).get('state');
  if (saved) planes.keyVault.importState(saved as SecretStoreState);
  const handle = planes.keyVault;
  const wrapped = Object.assign(async (...args: Parameters<typeof handle>) => {
    const handled = await handle(...args);
    if (handled && args[0].method !== 'GET') saveSecrets(core, planes);
    return handled;
  }, handle);
  planes.handlers[planes.handlers.indexOf(handle)] = wrapped;
}

function saveSecrets(core: EmulatorCore, planes: HttpsDataPlanes): void {
  core.store.sideTable(SECRETS_SIDE_TABLE).set('state', planes.keyVault.exportState());
  core.store.changed();
}

/** Makes the IMDS service the Preempt sink; a VM's StartRequests ack evicts it at once. */
export function connectScheduledEvents(core: EmulatorCore, service: ScheduledEventsService): void {
  core.registerService('scheduledEvents', service);
  service.events.on('acknowledged', (_vm: string, event: { EventId: string }) => {
    core.service<{ expedite(id: string): void }>('evictions').expedite(event.EventId);
  });
}
