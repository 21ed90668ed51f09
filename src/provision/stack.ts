// What plan, up and down share: config + names + target (the lead's target.ts decides Azure or
// the local cloud) + an ARM client + the desired graph with its artifacts.
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import type { GpuarbConfig } from '../config/schema.js';
import type { StackNames } from '../config/names.js';
import type { AzureTarget } from '../azure/target.js';
import { createArmClient, RequestCounter, type ArmClient } from '../azure/arm-client.js';
import { buildDesiredGraph } from './desired/index.js';
import { prepareArtifacts, type PreparedArtifacts } from './artifacts.js';
import type { DesiredGraph } from './types.js';

export interface ProvisionStack {
  config: GpuarbConfig;
  names: StackNames;
  target: AzureTarget;
  arm: ArmClient;
  counter: RequestCounter;
  graph: DesiredGraph;
  artifacts: PreparedArtifacts;
}

export async function loadProvisionStack(ctx: Context, opts: { local?: boolean; build?: boolean }): Promise<ProvisionStack> {
  const { config, names } = await ctx.config();
  const target = await ctx.azure({ local: opts.local });
  const counter = new RequestCounter();
  const arm = await createArmClient(target, { onRequest: counter.record, pollIntervalMs: target.kind === 'local' ? 200 : 5000 });
  const artifacts = await prepareArtifacts(config, { outDir: join(ctx.cwd, '.gpuarb', 'build'), build: opts.build ?? false });
  for (const n of artifacts.notes) ctx.logger.debug(n);
  const graph = buildDesiredGraph({
    config,
    subscriptionId: target.subscriptionId,
    names,
    artifacts: artifacts.refs,
    cloudInit: artifacts.cloudInit,
  });
  return { config, names, target, arm, counter, graph, artifacts };
}

/** Portal and API links an operator needs after `up`. */
export function stackOutputs(s: ProvisionStack, apim: { properties?: { gatewayUrl?: string } } | undefined) {
  const rgId = s.graph.resourceGroupId;
  const portal = s.target.kind === 'azure' ? `https://portal.azure.com/#@/resource${rgId}` : undefined;
  return {
    apiUrl: apim?.properties?.gatewayUrl ? `${apim.properties.gatewayUrl}/v1` : undefined,
    resourceGroup: s.names.resourceGroup,
    portal,
    // One API Management subscription per customer, on the product of their tier.
    createCustomerKey: `API Management → Subscriptions → Add: scope Product "${s.config.gateway.defaultTier}", name = customer id; its primary key is the customer's API key`,
  };
}
