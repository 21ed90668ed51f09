// Which identity and rule a process's log rows are posted with, read from ARM as the process on
// Azure would be configured: a VM posts as its scale set's user-assigned identity, the gateway
// as its function app's; both through the data collection rule that declares the gpuarb stream.
import { LOG_STREAM } from '../../contracts/log-schema.js';
import type { Json, Store } from '../core/store.js';
import type { Route } from './log-ingest.js';
import { RESOURCE_TYPES } from './platform-resources.js';

const firstIdentityPrincipal = (store: Store, doc: Json | undefined): string | undefined => {
  const ids = Object.keys(doc?.identity?.userAssignedIdentities ?? {});
  return ids.map((id) => store.get(id)?.doc.properties?.principalId).find((p) => typeof p === 'string');
};

const ofType = (store: Store, type: string) => store.all().filter((r) => r.type.toLowerCase() === type.toLowerCase());

/** The route for `agent:<vm name>` or `gateway`. */
export function logRoute(store: Store, writer: string): Route {
  const rule = ofType(store, 'Microsoft.Insights/dataCollectionRules').find((r) => r.doc.properties?.streamDeclarations?.[LOG_STREAM]);
  let principalId: string | undefined;
  if (writer === 'gateway') principalId = firstIdentityPrincipal(store, ofType(store, RESOURCE_TYPES.site)[0]?.doc);
  else if (writer.startsWith('agent:')) {
    const vm = ofType(store, RESOURCE_TYPES.vm).find((r) => r.doc.name === writer.slice('agent:'.length))?.doc;
    const vmss = store.get(vm?.properties?.virtualMachineScaleSet?.id ?? '')?.doc;
    principalId = firstIdentityPrincipal(store, vmss) ?? firstIdentityPrincipal(store, vm);
  }
  return { principalId, ruleImmutableId: rule?.doc.properties?.immutableId };
}
