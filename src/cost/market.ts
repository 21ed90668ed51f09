// What the market says for a set of SKUs × regions: hourly prices from the Retail Prices API (in
// the configured currency) and the spot facts from Resource Graph. A source that fails becomes a
// note and a missing value, never a failed command: one missing meter must not hide the rest.
import type { AzureTarget } from '../azure/target.js';
import { fetchVmPrice, type VmPrice } from '../ops/prices.js';
import { type Sourced, sourced } from './sourced.js';
import { fetchSpotFacts, type SpotFacts, spotKey } from './spot-data.js';

export interface Market {
  currency: string;
  /** spotKey(region, sku) → prices in `currency`; absent when the API could not be read. */
  prices: Map<string, Sourced<VmPrice>>;
  spot: SpotFacts;
  /** Units of `currency` per USD, implied by the API's own prices of one meter in both. */
  usdRate: Sourced<number> | null;
  notes: string[];
}

const short = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

export async function readMarket(
  t: AzureTarget,
  p: { skus: string[]; regions: string[]; currency: string; now: () => number; signal?: AbortSignal },
): Promise<Market> {
  const notes: string[] = [];
  const at = () => new Date(p.now()).toISOString();
  const kind = t.publicData;
  const api = t.serviceName('Retail Prices API');
  const prices = new Map<string, Sourced<VmPrice>>();
  const usd = new Map<string, VmPrice>();
  const jobs = p.regions.flatMap((region) =>
    p.skus.map(async (sku) => {
      try {
        const price = await fetchVmPrice(t, region, sku, p.signal, 10, p.currency);
        prices.set(spotKey(region, sku), sourced(price, kind, `${api}, Linux Consumption meters, ${p.currency}`, at()));
        if (p.currency !== 'USD') usd.set(spotKey(region, sku), await fetchVmPrice(t, region, sku, p.signal, 10, 'USD'));
      } catch (e) {
        notes.push(`prices of ${sku} in ${region}: ${short(e)}`);
      }
    }),
  );
  const { createArmClient } = await import('../azure/arm-client.js');
  const arm = await createArmClient(t, { maxRetries: t.dataPlaneRetries });
  const spotJob = fetchSpotFacts(t, arm, p.skus, p.regions, p.now, p.signal).catch((e): SpotFacts => {
    notes.push(`Resource Graph spot data: ${short(e)}`);
    return { bands: new Map(), latestSpotUsd: new Map() };
  });
  await Promise.all(jobs);
  const spot = await spotJob;
  return { currency: p.currency, prices, spot, usdRate: impliedUsdRate(p.currency, prices, usd, kind, at()), notes };
}

function impliedUsdRate(
  currency: string,
  prices: Map<string, Sourced<VmPrice>>,
  usd: Map<string, VmPrice>,
  kind: 'live' | 'sample',
  at: string,
): Sourced<number> | null {
  if (currency === 'USD') return sourced(1, 'config', 'cost.currency is USD');
  for (const [key, p] of prices) {
    const u = usd.get(key);
    if (p.value.regular && u?.regular)
      return sourced(p.value.regular / u.regular, kind, `ratio of the ${key} on-demand meter in ${currency} and USD`, at);
  }
  return null;
}
