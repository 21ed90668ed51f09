// The whole platform as one graph (docs/design.md "Resources of one stack"), in dependency order.
import type { DesiredGraph, DesiredResource } from '../types.js';
import { topoSort } from '../graph.js';
import { makeContext, type GraphInput } from './context.js';
import { resourceGroup, network, identities } from './foundation.js';
import { roleAssignments } from './roles.js';
import { keyVault } from './keyvault.js';
import { poolIdentities } from './pool-identities.js';
import { logging, alerts } from './monitoring.js';
import { logPipeline } from './log-pipeline.js';
import { storage, cosmos } from './data.js';
import { functionApp } from './functions.js';
import { scaleSet } from './vmss.js';
import { apiManagement } from './apim.js';

export type { GraphInput, ArtifactRefs } from './context.js';

export function buildDesiredGraph(input: GraphInput): DesiredGraph {
  const ctx = makeContext(input);
  const all: DesiredResource[] = [
    ...resourceGroup(ctx),
    ...network(ctx),
    ...identities(ctx),
    ...keyVault(ctx),
    ...logging(ctx),
    ...logPipeline(ctx),
    ...storage(ctx),
    ...cosmos(ctx),
    ...roleAssignments(ctx),
    ...poolIdentities(ctx),
    ...functionApp(ctx),
    ...input.config.pools.flatMap((p) => scaleSet(ctx, p)),
    ...alerts(ctx),
    ...apiManagement(ctx),
  ];
  return {
    stack: input.config.stack,
    subscriptionId: input.subscriptionId,
    resourceGroupId: ctx.rgId,
    location: input.config.location,
    resources: topoSort(all),
  };
}
