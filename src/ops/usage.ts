// `gpuarb usage`: the gateway's counters from the Cosmos `usage` container (one document per
// customer, model and UTC day; gateway/usage-meter.ts, contracts/documents.ts), summed and priced (usage-report.ts).
import type { Context } from '../core/context.js';
import { arm, cosmosDatabase } from './azure-clients.js';
import type { UsageCounter } from '../../contracts/documents.js';
import { buildUsageReport, firstDay, type ModelPrice, type UsageReport } from './usage-report.js';
import { loadStack } from './stack.js';
import { customerOfSubscription, subscriptionName } from './keys.js';

export async function usageReport(ctx: Context, opts: { customer?: string; sinceSeconds: number }): Promise<UsageReport> {
  const stack = await loadStack(ctx);
  const { COSMOS_DATABASE } = await import('../provision/desired/data.js');
  const { CONTAINERS } = await import('../../contracts/cosmos-containers.js');
  const { database } = await cosmosDatabase(stack.target, stack.resourceGroup, stack.names.cosmos, COSMOS_DATABASE);
  const now = ctx.clock.now();
  const from = firstDay(now, opts.sinceSeconds);
  const to = new Date(now).toISOString().slice(0, 10);
  const parameters = [{ name: '@from', value: from }];
  let query = 'SELECT * FROM c WHERE c.day >= @from';
  if (opts.customer) {
    // The gateway meters the subscription id (cust-<customer>); counters written under the bare
    // name (before the customer id was the subscription id) still count.
    query += ' AND c.customer IN (@sid, @customer)';
    parameters.push({ name: '@sid', value: subscriptionName(opts.customer) }, { name: '@customer', value: opts.customer });
  }
  const { resources } = await arm(database.container(CONTAINERS.usage.id).items.query<UsageCounter>({ query, parameters }).fetchAll());
  const named = resources.map((d) => ({ ...d, customer: customerOfSubscription(d.customer) }));
  // Price per model from the pool that serves it (config `pools[].prices`).
  const prices: Record<string, ModelPrice> = {};
  for (const p of stack.config.pools) prices[p.model] ??= p.prices;
  return buildUsageReport(named, prices, { from, to, customer: opts.customer });
}
