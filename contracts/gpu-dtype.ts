// Which 16-bit dtype a GPU can serve in, shared by the CLI (it picks vLLM's --dtype per SKU) and
// the simulated vLLM (it refuses what vLLM refuses). Compute capabilities from NVIDIA's table
// (https://developer.nvidia.com/cuda-gpus): T4 7.5 (Turing), V100 7.0 (Volta), A100 8.0 (Ampere),
// H100 9.0 (Hopper).

/** vLLM refuses bfloat16 below this compute capability (vllm/worker/worker.py `_check_if_gpu_supports_dtype`). */
export const BF16_MIN_COMPUTE_CAPABILITY = 8.0;

export interface GpuModelInfo {
  /** The name torch.cuda.get_device_name() reports, which vLLM puts in its error. */
  deviceName: string;
  computeCapability: number;
}

/** Keyed by the GPU model names the SKU catalog uses. */
export const GPU_MODELS: Record<string, GpuModelInfo> = {
  T4: { deviceName: 'Tesla T4', computeCapability: 7.5 },
  V100: { deviceName: 'Tesla V100-PCIE-16GB', computeCapability: 7.0 },
  'A100 PCIe': { deviceName: 'NVIDIA A100 80GB PCIe', computeCapability: 8.0 },
  'H100 NVL': { deviceName: 'NVIDIA H100 NVL', computeCapability: 9.0 },
};

export type VllmDtype = 'auto' | 'float16' | 'bfloat16';

/**
 * The dtype to pass vLLM for unquantised weights: bfloat16 (the native dtype of the models gpuarb
 * serves) where the GPU has it, float16 below compute capability 8.0. An unknown GPU gets float16,
 * which every GPU vLLM supports (7.0 and up) runs.
 */
export function unquantisedDtype(computeCapability: number | undefined): Exclude<VllmDtype, 'auto'> {
  return computeCapability !== undefined && computeCapability >= BF16_MIN_COMPUTE_CAPABILITY ? 'bfloat16' : 'float16';
}

/** vLLM's own error text (v0.8), so a log line on the VM reads the same locally and on Azure. */
export function bf16RefusalMessage(gpu: GpuModelInfo): string {
  return (
    'Bfloat16 is only supported on GPUs with compute capability of at least 8.0. ' +
    `Your ${gpu.deviceName} GPU has compute capability ${gpu.computeCapability.toFixed(1)}. ` +
    'You can use float16 instead by explicitly setting the`dtype` flag in CLI, for example: --dtype=half.'
  );
}
