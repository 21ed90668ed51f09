// One pool's cost, from its configuration and what the market says: every input with its source,
// the availability of its priority mix, and the figures of pool-cost.ts. Pure (no I/O), so
// `cost` and `cost --recommend` evaluate a pool and its alternatives the same way.
import type { GpuarbConfig, PoolConfig } from '../config/schema.js';
import { bandRate, priorityMix, probabilityReady } from './availability.js';
import type { Market } from './market.js';
import { type ChosenThroughput, chooseThroughput, type MeasuredThroughput } from './measured.js';
import { type CostFigures, poolCost } from './pool-cost.js';
import { gpuSku } from './sku-catalog.js';
import { type Sourced, sourced } from './sourced.js';
import { spotKey } from './spot-data.js';
import { throughputRow } from './throughput-table.js';

export interface PoolCostInputs {
  onDemandPerHour: Sourced<number | null>;
  spotPerHour: Sourced<number | null>;
  spotPriceHistoryUsd: Sourced<number> | null;
  priorityMix: Sourced<{ regular: number; spot: number; regularBase: number; regularPercentAboveBase: number }>;
  evictionBand: Sourced<string> | null;
  evictionRatePerHour: Sourced<number> | null;
  spare: Sourced<{ replicas: number; min: number; spare: number }>;
  repairSeconds: Sourced<number>;
  throughput: Sourced<{ outputTokensPerSecond: number; inputTokensPerSecond: number | null } | null>;
  /** The platform's own measurements of the pool, simulated ones included (shown, labelled; never used). */
  measuredThroughput: MeasuredThroughput[];
  utilisation: Sourced<number>;
  /** In the query currency (converted from the configured USD when the currency differs). */
  sellPrice: Sourced<{ inputPerMillion: number; outputPerMillion: number } | null>;
  marketPrices: PoolConfig['marketPrices'];
}

export interface PoolCostReport {
  pool: string;
  model: string;
  engine: string;
  sku: string;
  region: string;
  currency: string;
  inputs: PoolCostInputs;
  /** P(ready replicas ≥ capacity.min) under the availability model; null without an eviction band. */
  availability: number | null;
  figures: CostFigures;
  notes: string[];
}

export interface Variant {
  sku?: string;
  region?: string;
  regularBase?: number;
  regularPercentAboveBase?: number;
  /** Replicas to run; more than the pool's own count are spare (they add cost, not tokens). */
  replicas?: number;
}

export function evaluatePool(
  config: GpuarbConfig,
  pool: PoolConfig,
  market: Market,
  v: Variant = {},
  measured: MeasuredThroughput[] = [],
): PoolCostReport {
  const sku = v.sku ?? pool.sku;
  const region = v.region ?? config.location;
  const key = spotKey(region, sku);
  const notes: string[] = [];
  const price = market.prices.get(key);
  const noPrices = sourced(null, 'live', `no Retail Prices answer for ${sku} in ${region}`);
  const onDemand = price ? sourced(price.value.regular, price.source, price.detail, price.at) : noPrices;
  const spotPrice = price ? sourced(price.value.spot, price.source, price.detail, price.at) : noPrices;
  if (price && price.value.spot === null) notes.push(`${sku} has no Linux spot meter in ${region}`);
  if (price && price.value.regular === null) notes.push(`${sku} has no Linux on-demand meter in ${region}`);

  const serving = pool.capacity.initial ?? pool.capacity.min;
  const replicas = v.replicas ?? serving;
  const spotCfg = { ...pool.spot, ...(v.regularBase !== undefined ? { regularBase: v.regularBase } : {}) };
  if (v.regularPercentAboveBase !== undefined) spotCfg.regularPercentAboveBase = v.regularPercentAboveBase;
  const mix = priorityMix(replicas, spotCfg);
  const mixDetail =
    v.regularBase !== undefined
      ? 'candidate mix'
      : `pools[${pool.name}].spot over ${replicas} replica${replicas === 1 ? '' : 's'} (capacity.initial, else capacity.min)`;

  const band = market.spot.bands.get(key) ?? null;
  if (!band && mix.spot > 0) notes.push(`no eviction-rate band for ${sku} in ${region}`);
  const rate = band ? (bandRate(band.value) ?? null) : null;
  const repairSeconds = config.cost.repairTime;

  const profile = (v.sku ? undefined : pool.gpu) ?? gpuSku(sku)?.profile;
  let throughput: PoolCostInputs['throughput'];
  let basis: ChosenThroughput['basis'] = null;
  if (pool.engine === 'sim') {
    throughput = sourced(null, 'assumed', 'engine sim: its token rates are simulated, not throughput');
    notes.push(`${pool.name} runs the sim engine: no real throughput, so no cost per token`);
  } else {
    const row = profile ? throughputRow(pool.model, profile, pool.quantization) : undefined;
    const chosen = chooseThroughput(pool, measured, row, sku === pool.sku, `${pool.model} on ${profile ?? sku} (${pool.quantization})`);
    throughput = chosen.throughput;
    basis = chosen.basis;
    notes.push(...chosen.notes);
  }
  // A served (metered) rate already is the load the pool sees: utilisation is not applied twice.
  const utilisation =
    basis === 'served'
      ? sourced(1, 'measured', 'the metered rate is what the pool served, so cost.utilisation is not applied on top')
      : sourced(config.cost.utilisation, 'assumed', 'cost.utilisation');

  const rateUsd = market.usdRate?.value ?? null;
  const sell =
    rateUsd === null
      ? sourced(null, 'config', `pools[${pool.name}].prices (USD): no ${market.currency} rate to convert them`)
      : sourced(
          { inputPerMillion: pool.prices.inputPerMillion * rateUsd, outputPerMillion: pool.prices.outputPerMillion * rateUsd },
          'config',
          market.currency === 'USD'
            ? `pools[${pool.name}].prices (USD)`
            : `pools[${pool.name}].prices (USD) × ${rateUsd.toFixed(4)} ${market.currency}/USD, the ${market.usdRate?.source} ${market.usdRate?.detail}`,
        );

  const figures = poolCost({
    onDemandPerHour: onDemand.value,
    spotPerHour: spotPrice.value,
    regular: mix.regular,
    spot: mix.spot,
    outputTokensPerSecond: throughput.value?.outputTokensPerSecond ?? null,
    inputTokensPerSecond: throughput.value?.inputTokensPerSecond ?? null,
    utilisation: utilisation.value,
    servingReplicas: serving,
    sellInputPerMillion: sell.value?.inputPerMillion ?? 0,
    sellOutputPerMillion: sell.value?.outputPerMillion ?? 0,
  });
  if (!sell.value) Object.assign(figures, { revenuePerHour: null, marginPerHour: null, marginPercent: null });
  const availability =
    mix.spot === 0
      ? 1
      : rate
        ? probabilityReady({ ...mix, min: pool.capacity.min, ratePerHour: rate.value, repairHours: repairSeconds / 3600 })
        : null;
  return {
    pool: pool.name,
    model: pool.model,
    engine: pool.engine,
    sku,
    region,
    currency: market.currency,
    inputs: {
      onDemandPerHour: onDemand,
      spotPerHour: spotPrice,
      spotPriceHistoryUsd: market.spot.latestSpotUsd.get(key) ?? null,
      priorityMix: sourced(
        { ...mix, regularBase: spotCfg.regularBase, regularPercentAboveBase: spotCfg.regularPercentAboveBase },
        'config',
        mixDetail,
      ),
      evictionBand: band,
      evictionRatePerHour: rate,
      spare: sourced({ replicas, min: pool.capacity.min, spare: replicas - pool.capacity.min }, 'config', `pools[${pool.name}].capacity`),
      repairSeconds: sourced(repairSeconds, 'assumed', 'cost.repairTime'),
      throughput,
      utilisation,
      measuredThroughput: measured,
      sellPrice: sell,
      marketPrices: pool.marketPrices,
    },
    availability,
    figures,
    notes: [...notes, ...figures.missing.map((m) => `${pool.name}: ${m}`)],
  };
}
