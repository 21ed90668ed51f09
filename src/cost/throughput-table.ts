// Engine throughput from public benchmarks, one row per model × GPU profile × precision, each
// citing its source and the conditions it was measured under. Used only when the platform has no
// measurement of its own. A model × GPU with no row gets no cost figure: nothing is guessed.
// The sim engine never appears here: its figures are made up and never presented as throughput.

export interface ThroughputRow {
  model: string;
  /** gpuarb GPU profile (sku-catalog.ts `profile`). */
  gpu: string;
  /** Config `quantization` value the row was measured at. */
  quantization: string;
  engine: string;
  engineVersion: string;
  precision: string;
  concurrency: string;
  outputTokensPerSecond: number;
  inputTokensPerSecond: number;
  source: string;
  /** When the benchmark was run. */
  measuredOn: string;
  caveat: string;
}

export const THROUGHPUT_TABLE: ThroughputRow[] = [
  {
    model: 'llama3-70b',
    gpu: '4xA100-80GB',
    quantization: 'none',
    engine: 'vllm',
    engineVersion: 'not recorded in the result file',
    precision: 'bf16, tensor parallel 4',
    concurrency: '10 prompts sent at once (request rate inf), max length 4096',
    outputTokensPerSecond: 99.54,
    inputTokensPerSecond: 63.29,
    source:
      'https://github.com/LambdaLabsML/vllm-benchmark/blob/f093afe94aacfb282ac40fef31c94a0010b37e5e/results/prompt_10/4xA100-80GB-SXM/Meta-Llama-3-70B-Instruct_tp4_len4096.json',
    measuredOn: '2024-09-08',
    caveat: 'A100 SXM with NVLink; Azure NC A100 v4 has PCIe A100s. Low concurrency: a floor, not a batch-throughput ceiling.',
  },
  {
    model: 'mixtral-8x7b',
    gpu: '4xA100-80GB',
    quantization: 'none',
    engine: 'vllm',
    engineVersion: 'not recorded in the result file',
    precision: "the model's own dtype (bf16; the result file records none), tensor parallel 4",
    concurrency: '10 prompts sent at once (request rate inf), max length 4096',
    outputTokensPerSecond: 191.01,
    inputTokensPerSecond: 147.04,
    source:
      'https://github.com/LambdaLabsML/vllm-benchmark/blob/f093afe94aacfb282ac40fef31c94a0010b37e5e/results/prompt_10/4xA100-80GB-SXM/Mixtral-8x7B-Instruct-v0.1_tp4_len4096.json',
    measuredOn: '2024-09-08',
    caveat: 'A100 SXM with NVLink; Azure NC A100 v4 has PCIe A100s. Low concurrency: a floor, not a batch-throughput ceiling.',
  },
  {
    model: 'mixtral-8x7b',
    gpu: '2xA100-80GB',
    quantization: 'none',
    engine: 'vllm',
    engineVersion: 'not recorded in the result file',
    precision: "the model's own dtype (bf16; the result file records none), tensor parallel 2",
    concurrency: '10 prompts sent at once (request rate inf), max length 4096',
    outputTokensPerSecond: 144.31,
    inputTokensPerSecond: 84.4,
    source:
      'https://github.com/LambdaLabsML/vllm-benchmark/blob/f093afe94aacfb282ac40fef31c94a0010b37e5e/results/prompt_10/2xA100-80GB-SXM/Mixtral-8x7B-Instruct-v0.1_tp2_len4096.json',
    measuredOn: '2024-09-08',
    caveat: 'A100 SXM with NVLink; Azure NC A100 v4 has PCIe A100s. Low concurrency: a floor, not a batch-throughput ceiling.',
  },
];

export function throughputRow(model: string, gpu: string, quantization: string): ThroughputRow | undefined {
  return THROUGHPUT_TABLE.find((r) => r.model === model && r.gpu.toLowerCase() === gpu.toLowerCase() && r.quantization === quantization);
}
