// Whether a pool's model can start on its SKU at all: vLLM loads the weights, then needs room in
// the KV cache for at least one sequence of the configured context length, or it refuses to start
// ("The model's max seq len … is larger than the maximum number of tokens that can be stored in KV
// cache"). It uses --gpu-memory-utilization (default 0.9) of each GPU's memory. This is a lower
// bound: activations and CUDA graphs need more, so a pool that passes can still be tight.
import { BYTES_PER_PARAMETER, KV_BYTES_PER_TOKEN, modelSize } from '../cost/model-memory.js';
import { unquantisedDtype } from '../../contracts/gpu-dtype.js';
import { gpuSku, skuComputeCapability } from '../cost/sku-catalog.js';
import type { PoolConfig } from './schema.js';

/** The shape of checks.ts's ConfigProblem (not imported: checks.ts imports this file). */
interface FitProblem {
  path: (string | number)[];
  message: string;
}

/** vLLM's default --gpu-memory-utilization (docs.vllm.ai engine arguments). */
export const VLLM_GPU_MEMORY_UTILIZATION = 0.9;

const QUANTISED: Record<string, string> = { fp8: 'fp8', awq: 'AWQ 4-bit', gptq: 'GPTQ 4-bit' };
/** The precision the weights load in: the dtype cloud-init passes vLLM for this SKU when unquantised. */
const precision = (p: PoolConfig) =>
  QUANTISED[p.quantization] ?? (unquantisedDtype(skuComputeCapability(p.sku)) === 'bfloat16' ? 'bf16' : 'fp16');
const gb = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

export interface MemoryFit {
  weightsGb: number;
  kvCacheGb: number;
  usableGb: number;
  gpus: number;
}

/** The figures for a pool, or undefined when its model or SKU is not catalogued. */
export function memoryFit(
  pool: Pick<PoolConfig, 'model' | 'quantization' | 'sku' | 'tensorParallel' | 'contextLength'>,
): MemoryFit | undefined {
  const size = modelSize(pool.model);
  const kv = KV_BYTES_PER_TOKEN[pool.model];
  const sku = gpuSku(pool.sku);
  if (!size || !kv || !sku) return undefined;
  const gpus = Math.min(pool.tensorParallel, sku.gpuCount);
  return {
    weightsGb: size.billionParameters * BYTES_PER_PARAMETER[pool.quantization],
    kvCacheGb: (pool.contextLength * kv.bytes) / 1e9,
    usableGb: sku.gpuMemoryGb * gpus * VLLM_GPU_MEMORY_UTILIZATION,
    gpus,
  };
}

export function memoryFitProblems(pools: PoolConfig[]): FitProblem[] {
  const problems: FitProblem[] = [];
  pools.forEach((p, i) => {
    if (p.engine !== 'vllm') return;
    const sku = gpuSku(p.sku);
    if (sku && p.tensorParallel > sku.gpuCount) {
      problems.push({
        path: ['pools', i, 'tensorParallel'],
        message: `tensorParallel ${p.tensorParallel} needs ${p.tensorParallel} GPUs; ${sku.armSkuName} has ${sku.gpuCount}. Pick a SKU with more GPUs or lower tensorParallel.`,
      });
      return;
    }
    const fit = memoryFit(p);
    if (!fit || fit.weightsGb + fit.kvCacheGb <= fit.usableGb) return;
    const gpuText = fit.gpus > 1 ? `${fit.gpus} × ${sku?.gpuMemoryGb} GB` : `${sku?.gpuMemoryGb} GB`;
    problems.push({
      path: ['pools', i, 'sku'],
      message:
        `${p.model} at ${precision(p)} needs ${gb(fit.weightsGb)} GB weights + ${gb(fit.kvCacheGb)} GB KV cache ` +
        `(one ${p.contextLength}-token sequence); ${p.sku} has ${gpuText} GPU memory, of which vLLM uses ` +
        `${VLLM_GPU_MEMORY_UTILIZATION * 100}% (${gb(fit.usableGb)} GB). Pick a larger SKU, quantise (awq, gptq, fp8), ` +
        `raise tensorParallel on a multi-GPU SKU, or lower contextLength.`,
    });
  });
  return problems;
}
