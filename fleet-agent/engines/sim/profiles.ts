// Latency profiles of the simulator: one per (model, GPU) the pools can run.
//
// How the figures are derived (so they can be re-checked, not just trusted):
// - Decode is memory-bandwidth bound at small batch: time per output token (TPOT) ≈ bytes of
//   weights read per token / (HBM bandwidth × MBU). MBU ≈ 60% is what Databricks measured for
//   well-tuned servers ("LLM Inference Performance Engineering: Best Practices", Databricks blog,
//   Oct 2023). Quantised kernels and tensor parallelism add overhead (factors noted per row).
// - Prefill is compute bound: ≈ 2 × active parameters FLOPs per prompt token at ~50% MFU.
// - Batching: vLLM's paged KV cache lets many sequences share a step (Kwon et al., "Efficient
//   Memory Management for LLM Serving with PagedAttention", SOSP 2023, arXiv:2309.06180);
//   per-token latency grows slowly with batch size (Databricks, same post: ~2× from batch 1 to
//   64 for a 7B model → ~1.5% per extra sequence; MoE models touch more experts as the batch
//   grows, so they slow down faster). maxBatch is set by the KV cache left after the weights at
//   ~1k tokens per sequence.
// Hardware: T4 320 GB/s, 65 TFLOPS fp16 (NVIDIA T4 datasheet); A100 80GB PCIe (the NC A100 v4
// series) 1,935 GB/s, 312 TFLOPS bf16 dense (NVIDIA A100 datasheet); H100 NVL 94 GB (the NC H100
// v5 series) 3.9 TB/s, ~835 TFLOPS fp16 dense (NVIDIA H100 datasheet).
// Models: Phi-3-mini 3.8B, 4k context (Abdin et al., arXiv:2404.14219); Mixtral-8x7B 46.7B total,
// 12.9B active, 32k context (Jiang et al., arXiv:2401.04088); Llama-3-70B 70.6B, 8k context
// (Meta Llama 3 model card). KV per token: Phi-3-mini 393 KB, Mixtral 131 KB, Llama-3-70B 327 KB
// at 16 bit (layers × kv-heads × head-dim × 2 × 2 bytes).

export type SimGpu = 'T4' | 'A100-80GB' | '2xA100' | '4xA100' | 'H100' | 'none';

export interface SimProfile {
  model: string;
  gpu: SimGpu;
  /** Fixed time to first token: scheduling plus the first decode step. */
  ttftBaseMs: number;
  /** Prefill time per prompt token. */
  prefillMsPerToken: number;
  /** Time per output token with one sequence running. */
  tpotMs: number;
  /** Fractional TPOT increase per additional running sequence. */
  slowdownPerSequence: number;
  /** Sequences decoded together; more wait in the queue. */
  maxBatch: number;
  contextLength: number;
  /** Where the numbers come from, in one line. */
  source: string;
}

const row = (
  model: string,
  gpu: SimGpu,
  tpotMs: number,
  prefillMsPerToken: number,
  slowdownPerSequence: number,
  maxBatch: number,
  contextLength: number,
  source: string,
): SimProfile => ({
  model,
  gpu,
  ttftBaseMs: Math.round(tpotMs + 20),
  prefillMsPerToken,
  tpotMs,
  slowdownPerSequence,
  maxBatch,
  contextLength,
  source,
});

export const SIM_PROFILES: readonly SimProfile[] = [
  // Phi-3-mini fp16: 7.6 GB of weights.
  row('phi3-mini', 'T4', 40, 0.23, 0.04, 16, 4096, '7.6 GB / (320 GB/s × 0.6) = 39.6 ms; 6.5 GB KV left → 16 seqs'),
  row('phi3-mini', 'A100-80GB', 6.5, 0.05, 0.015, 128, 4096, '7.6 GB / (1935 GB/s × 0.6) = 6.5 ms'),
  row('phi3-mini', 'H100', 3.3, 0.02, 0.015, 160, 4096, '7.6 GB / (3.9 TB/s × 0.6) = 3.2 ms'),
  // Mixtral-8x7B: 12.9B active parameters per token.
  row('mixtral-8x7b', 'A100-80GB', 14, 0.25, 0.03, 128, 32768, 'AWQ 4-bit: 6.5 GB active / 1161 GB/s = 5.6 ms × 2.5 dequant overhead'),
  row('mixtral-8x7b', '2xA100', 12, 0.085, 0.03, 128, 32768, 'fp16 tp=2: 25.8 GB / 2322 GB/s = 11.1 ms × 1.1 all-reduce'),
  row('mixtral-8x7b', '4xA100', 6.7, 0.05, 0.03, 256, 32768, 'fp16 tp=4: 25.8 GB / 4644 GB/s = 5.6 ms × 1.2 all-reduce'),
  row('mixtral-8x7b', 'H100', 6, 0.031, 0.03, 128, 32768, 'FP8: 12.9 GB / 2340 GB/s = 5.5 ms × 1.1'),
  // Llama-3-70B: 70.6B dense.
  row(
    'llama3-70b',
    'A100-80GB',
    40,
    1.3,
    0.015,
    64,
    8192,
    'AWQ 4-bit: 35.3 GB / 1161 GB/s = 30.4 ms × 1.3 dequant; 37 GB KV → ~110 seqs, capped 64',
  ),
  row('llama3-70b', '2xA100', 67, 0.45, 0.015, 24, 8192, 'bf16 tp=2: 141 GB / 2322 GB/s = 60.8 ms × 1.1; 9 GB KV → 24 seqs'),
  row('llama3-70b', '4xA100', 35, 0.26, 0.015, 128, 8192, 'bf16 tp=4: 141 GB / 4644 GB/s = 30.4 ms × 1.15 all-reduce'),
  row('llama3-70b', 'H100', 33, 0.17, 0.015, 48, 8192, 'FP8: 70.6 GB / 2340 GB/s = 30.2 ms × 1.1; 17 GB KV → 48 seqs'),
];

/** A profile with no latency at all: measures everything but the model (benchmarks). */
const ZERO_LATENCY: SimProfile = {
  model: 'sim-zero',
  gpu: 'none',
  ttftBaseMs: 0,
  prefillMsPerToken: 0,
  tpotMs: 0,
  slowdownPerSequence: 0,
  maxBatch: 1_000_000,
  contextLength: 32768,
  source: 'no latency (benchmark baseline)',
};

/** Accepts the spellings gpuarb.yaml uses too ("4xA100-80GB", "H100-NVL", "a100"). */
export function normalizeSimGpu(name: string): SimGpu | undefined {
  const n = name
    .trim()
    .toUpperCase()
    .replace(/[-_ ]?(80GB|94GB|NVL|PCIE|SXM)$/g, '')
    .replace(/[-_ ]?(80GB|94GB|NVL|PCIE|SXM)$/g, '');
  const table: Record<string, SimGpu> = {
    T4: 'T4',
    A100: 'A100-80GB',
    '1XA100': 'A100-80GB',
    '2XA100': '2xA100',
    '4XA100': '4xA100',
    H100: 'H100',
    '1XH100': 'H100',
    NONE: 'none',
  };
  return table[n];
}

/** Finds the profile for a model on a GPU; the error lists what exists. */
export function findProfile(model: string, gpu: SimGpu): SimProfile {
  if (gpu === 'none') return { ...ZERO_LATENCY, model };
  const found = SIM_PROFILES.find((p) => p.model === model && p.gpu === gpu);
  if (found) return found;
  const known = SIM_PROFILES.map((p) => `${p.model}@${p.gpu}`).join(', ');
  throw new Error(`no sim profile for model "${model}" on GPU "${gpu}" (known: ${known}, or gpu "none" for zero latency)`);
}

/** TTFT for a prompt of `promptTokens`. */
export function timeToFirstTokenMs(p: SimProfile, promptTokens: number): number {
  return p.ttftBaseMs + p.prefillMsPerToken * promptTokens;
}

/** TPOT when `running` sequences share the batch. */
export function timePerOutputTokenMs(p: SimProfile, running: number): number {
  return p.tpotMs * (1 + p.slowdownPerSequence * Math.max(0, running - 1));
}
