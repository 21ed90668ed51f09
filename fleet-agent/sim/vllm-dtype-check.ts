// What the simulated `vllm serve` refuses before it loads anything, as vLLM does: bfloat16 on a
// GPU below compute capability 8.0 (T4, V100). `--dtype auto` resolves to the model's own dtype
// (config.json `torch_dtype`, when the model is a local directory), so auto on a bfloat16 model
// is refused too, as vLLM 0.8 refuses it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BF16_MIN_COMPUTE_CAPABILITY, bf16RefusalMessage, GPU_MODELS, type GpuModelInfo } from '../../contracts/gpu-dtype.js';
import type { SimGpu } from '../engines/sim/profiles.js';

const SIM_GPU_MODEL: Record<SimGpu, string | undefined> = {
  T4: 'T4',
  'A100-80GB': 'A100 PCIe',
  '2xA100': 'A100 PCIe',
  '4xA100': 'A100 PCIe',
  H100: 'H100 NVL',
  none: undefined,
};

function modelConfigDtype(model: string): string | undefined {
  try {
    const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as { torch_dtype?: unknown };
    return typeof config.torch_dtype === 'string' ? config.torch_dtype : undefined;
  } catch {
    return undefined; // a hub id, or no config: nothing says the weights are bfloat16
  }
}

/** The dtype vLLM would load in: `half` is float16; `auto` is the model's config dtype. */
export function resolveDtype(flag: string | undefined, model: string): string {
  const d = (flag ?? 'auto').toLowerCase();
  if (d === 'half') return 'float16';
  if (d === 'auto') return modelConfigDtype(model) ?? 'auto';
  return d;
}

/** vLLM's ValueError text when it would refuse this dtype on this GPU, else undefined. */
export function dtypeRefusal(dtype: string, gpu: SimGpu): string | undefined {
  const modelName = SIM_GPU_MODEL[gpu];
  const info: GpuModelInfo | undefined = modelName ? GPU_MODELS[modelName] : undefined;
  if (dtype !== 'bfloat16' || !info || info.computeCapability >= BF16_MIN_COMPUTE_CAPABILITY) return undefined;
  return bf16RefusalMessage(info);
}
