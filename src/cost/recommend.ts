// `cost --recommend`: every SKU that can hold the model × every allowed region × every priority
// mix of the pool's replica count, evaluated as `cost` evaluates the pool itself, and ranked by
// cost per 1M output tokens among those that meet the availability target. Pure: the market is
// read beforehand (market.ts), so the ranking is testable against changed prices and bands.
import type { GpuarbConfig, PoolConfig } from '../config/schema.js';
import { evaluatePool, type PoolCostReport } from './evaluate.js';
import type { Market } from './market.js';
import { modelSize, requiredMemoryGb } from './model-memory.js';
import { GPU_SKUS, gpuSku } from './sku-catalog.js';

/** Extra replicas beyond the pool's own count that the search tries as spare for evictions. */
export const MAX_SPARE = 2;

export interface Candidate {
  sku: string;
  region: string;
  regularBase: number;
  replicas: number;
  report: PoolCostReport;
  meetsTarget: boolean;
}

export interface Refusal {
  sku: string;
  reason: string;
}

export interface Recommendation {
  pool: string;
  model: string;
  availabilityTarget: number;
  requiredMemoryGb: number | null;
  current: PoolCostReport;
  winner: Candidate | null;
  ranked: Candidate[];
  refused: Refusal[];
  /** The gpuarb.yaml lines that would apply the winner. */
  configChange: string[];
}

export function regionsFor(config: GpuarbConfig): string[] {
  return config.cost.regions.length ? config.cost.regions : [config.location];
}

/** Which catalogued SKUs can hold the model, and why the others cannot. */
export function fittingSkus(pool: PoolConfig): { fits: string[]; refused: Refusal[]; needGb: number | null } {
  const needGb = requiredMemoryGb(pool.model, pool.quantization) ?? null;
  const fits: string[] = [];
  const refused: Refusal[] = [];
  for (const s of GPU_SKUS) {
    const haveGb = s.gpuCount * s.gpuMemoryGb;
    if (needGb === null) refused.push({ sku: s.armSkuName, reason: `the size of ${pool.model} is not known (src/cost/model-memory.ts)` });
    else if (haveGb < needGb)
      refused.push({
        sku: s.armSkuName,
        reason: `${s.gpuCount}×${s.gpuMemoryGb} GB cannot hold ${pool.model} at ${pool.quantization === 'none' ? 'fp16/bf16' : pool.quantization} (${needGb.toFixed(1)} GB needed: ${modelSize(pool.model)?.billionParameters}B parameters + KV cache share)`,
      });
    else fits.push(s.armSkuName);
  }
  return { fits, refused, needGb };
}

export function recommend(config: GpuarbConfig, pool: PoolConfig, market: Market, availabilityTarget: number): Recommendation {
  const { fits, refused, needGb } = fittingSkus(pool);
  const replicas = pool.capacity.initial ?? pool.capacity.min;
  const target = availabilityTarget / 100;
  const ranked: Candidate[] = [];
  for (const sku of fits)
    for (const region of regionsFor(config))
      for (let count = replicas; count <= replicas + MAX_SPARE; count++)
        for (let regularBase = 0; regularBase <= count; regularBase++) {
          const report = evaluatePool(config, pool, market, { sku, region, regularBase, regularPercentAboveBase: 0, replicas: count });
          if (report.figures.costPerMillionOutput === null) continue;
          const meetsTarget = report.availability !== null && report.availability >= target;
          ranked.push({ sku, region, regularBase, replicas: count, report, meetsTarget });
        }
  ranked.sort(
    (a, b) =>
      Number(b.meetsTarget) - Number(a.meetsTarget) ||
      (a.report.figures.costPerMillionOutput ?? Infinity) - (b.report.figures.costPerMillionOutput ?? Infinity),
  );
  const winner = ranked.find((c) => c.meetsTarget) ?? null;
  return {
    pool: pool.name,
    model: pool.model,
    availabilityTarget,
    requiredMemoryGb: needGb,
    current: evaluatePool(config, pool, market),
    winner,
    ranked,
    refused,
    configChange: winner ? configChange(config, pool, winner) : [],
  };
}

function configChange(config: GpuarbConfig, pool: PoolConfig, w: Candidate): string[] {
  const lines: string[] = [];
  if (w.region !== config.location) lines.push(`location: ${w.region}    # the whole stack moves region`);
  lines.push('pools:', `  - name: ${pool.name}`);
  const sku = gpuSku(w.sku);
  if (w.sku !== pool.sku) lines.push(`    sku: ${w.sku}`, `    gpu: ${sku?.profile}`, `    tensorParallel: ${sku?.gpuCount}`);
  if (w.replicas !== (pool.capacity.initial ?? pool.capacity.min))
    lines.push(`    capacity: { min: ${pool.capacity.min}, max: ${Math.max(pool.capacity.max, w.replicas)}, initial: ${w.replicas} }`);
  lines.push(`    spot: { regularBase: ${w.regularBase}, regularPercentAboveBase: 0 }`);
  return lines;
}
