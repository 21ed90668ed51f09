// --local: where the local platform (`gpuarb up --local`) serves its API, and a customer key for
// the load test. The API URL is the local API Management's gateway URL (read through ARM, as on
// Azure); the key belongs to a dedicated customer, `loadtest`, created on first use with the
// operators' `createKey` (src/ops/keys.ts) and read back from its APIM subscription afterwards,
// so repeated runs neither rotate nor multiply keys. The local CA is trusted for the https API.
import type { Context } from '../core/context.js';
import { UserError } from '../core/errors.js';
import type { Endpoint } from './types.js';

export interface LocalEndpoint extends Endpoint {
  /** The local platform's CA (it serves https with a certificate the client must trust). */
  caCertPem?: string;
}

/** The customer whose key `loadtest --local` uses (its usage is metered like any customer's). */
const LOADTEST_CUSTOMER = 'loadtest';

export async function resolveLocalEndpoint(ctx: Context): Promise<LocalEndpoint> {
  const [{ apimClient, isNotFound }, keys] = await Promise.all([import('../ops/azure-clients.js'), import('../ops/keys.js')]);
  const { names, config } = await ctx.config();
  const target = await ctx.target();
  const client = await apimClient(target);
  const rg = names.resourceGroup;
  let gatewayUrl: string | undefined;
  try {
    gatewayUrl = (await client.apiManagementService.get(rg, names.apim)).gatewayUrl;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (!gatewayUrl) {
    throw new UserError(`The local stack has no API yet (${names.apim} in ${rg}).`, {
      code: 'LocalStackMissing',
      hint: 'Run `gpuarb up --local` first, or pass --url and --key.',
    });
  }
  const sid = keys.subscriptionName(LOADTEST_CUSTOMER);
  let key: string;
  try {
    const stored = (await client.subscription.listSecrets(rg, names.apim, sid)).primaryKey ?? '';
    key = stored.startsWith(keys.APIM_KEY_PREFIX) ? stored.slice(keys.APIM_KEY_PREFIX.length) : stored;
  } catch (e) {
    if (!isNotFound(e)) throw e;
    // The most generous tier: a load test measures the platform, not one tier's rate limit.
    const tier = Object.entries(config.gateway.tiers).sort(
      ([, a], [, b]) => b.rateLimit.calls / b.rateLimit.period - a.rateLimit.calls / a.rateLimit.period,
    )[0]?.[0];
    key = (await keys.createKey(ctx, LOADTEST_CUSTOMER, { tier })).key;
    ctx.logger.debug(`created customer ${LOADTEST_CUSTOMER} for load tests`);
  }
  return { baseUrl: `${gatewayUrl.replace(/\/+$/, '')}/v1`, key, caCertPem: target.caCertPem };
}
