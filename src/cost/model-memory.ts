// Whether a model fits a SKU's GPU memory: weights (parameters × bytes per parameter at the
// configured precision) plus a share for the KV cache and activations. The parameter counts come
// from the models' Hugging Face cards; the overhead share is an assumption, shown as one.

export interface ModelSize {
  model: string;
  billionParameters: number;
  source: string;
}

export const MODEL_SIZES: ModelSize[] = [
  { model: 'phi3-mini', billionParameters: 3.8, source: 'https://huggingface.co/microsoft/Phi-3-mini-4k-instruct' },
  { model: 'mixtral-8x7b', billionParameters: 46.7, source: 'https://huggingface.co/mistralai/Mixtral-8x7B-Instruct-v0.1' },
  { model: 'llama3-70b', billionParameters: 70.6, source: 'https://huggingface.co/meta-llama/Meta-Llama-3-70B-Instruct' },
];

/** Bytes per parameter: fp16/bf16 2, FP8 1, 4-bit AWQ/GPTQ 0.5 (their group scales ignored). */
export const BYTES_PER_PARAMETER: Record<string, number> = { none: 2, fp8: 1, awq: 0.5, gptq: 0.5 };

/** Memory beyond the weights kept for KV cache and activations (assumed; see docs/cost.md). */
export const MEMORY_OVERHEAD = 0.2;

export function modelSize(model: string): ModelSize | undefined {
  return MODEL_SIZES.find((m) => m.model === model);
}

/** GB needed, or undefined when the model's size is unknown. */
export function requiredMemoryGb(model: string, quantization: string): number | undefined {
  const size = modelSize(model);
  const bytes = BYTES_PER_PARAMETER[quantization];
  if (!size || bytes === undefined) return undefined;
  return size.billionParameters * bytes * (1 + MEMORY_OVERHEAD);
}

/**
 * KV cache bytes per token at 16 bit: layers × KV heads × head dim × 2 (K and V) × 2 bytes, from
 * each model's config.json on Hugging Face (the MODEL_SIZES sources).
 */
export const KV_BYTES_PER_TOKEN: Record<string, { bytes: number; derivation: string }> = {
  'phi3-mini': { bytes: 393_216, derivation: '32 layers × 32 KV heads × 96 × 2 × 2 B' },
  'mixtral-8x7b': { bytes: 131_072, derivation: '32 layers × 8 KV heads × 128 × 2 × 2 B' },
  'llama3-70b': { bytes: 327_680, derivation: '80 layers × 8 KV heads × 128 × 2 × 2 B' },
};
