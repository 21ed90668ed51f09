// What plan, up and down share: the stack every command loads (config, names, target) plus an
// ARM client that counts its requests and the desired graph with its artifacts.
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { createArmClient, RequestCounter, type ArmClient } from '../azure/arm-client.js';
import { buildDesiredGraph } from './desired/index.js';
import { prepareArtifacts, type PreparedArtifacts } from './artifacts.js';
import type { DesiredGraph } from './types.js';
import { loadStack, type OpsStack } from '../ops/stack.js';
import { signedInPrincipal } from '../azure/operator.js';

export interface ProvisionStack extends OpsStack {
  arm: ArmClient;
  counter: RequestCounter;
  graph: DesiredGraph;
  artifacts: PreparedArtifacts;
}

export async function loadProvisionStack(ctx: Context, opts: { build?: boolean }): Promise<ProvisionStack> {
  const stack = await loadStack(ctx);
  const { config, names, target } = stack;
  const counter = new RequestCounter();
  const arm = await createArmClient(target, { onRequest: counter.record, pollIntervalMs: target.pollIntervalMs });
  const artifacts = await prepareArtifacts(config, { outDir: join(ctx.cwd, '.gpuarb', 'build'), build: opts.build ?? false });
  for (const n of artifacts.notes) ctx.logger.debug(n);
  const operator = await signedInPrincipal(target, ctx.signal);
  const graph = buildDesiredGraph({
    operator,
    config,
    subscriptionId: target.subscriptionId,
    names,
    artifacts: artifacts.refs,
    cloudInit: artifacts.cloudInit,
  });
  return { ...stack, arm, counter, graph, artifacts };
}

/** The part of an API Management service read back after `up`: Azure assigns its gateway URL. */
export interface ApimService {
  properties?: { gatewayUrl?: string };
}

/** Portal and API links an operator needs after `up`. */
export function stackOutputs(s: ProvisionStack, apim: ApimService | undefined) {
  const rgId = s.graph.resourceGroupId;
  const portal = s.target.portalUrl(rgId);
  return {
    apiUrl: apim?.properties?.gatewayUrl ? `${apim.properties.gatewayUrl}/v1` : undefined,
    resourceGroup: s.names.resourceGroup,
    portal,
    // One API Management subscription per customer, on the product of their tier.
    createCustomerKey:
      `API Management → Subscriptions → Add: scope Product "${s.config.gateway.defaultTier}", name = customer id; ` +
      "its primary key is the customer's API key",
  };
}
