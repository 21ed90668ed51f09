// The arithmetic of `gpuarb cost` (docs/cost.md "Formula"), pure so the tests can check it on
// hand-worked examples. Prices are per hour in the query currency; throughput is per replica at
// full load; utilisation is the share of that the pool actually serves.

export interface CostInputs {
  onDemandPerHour: number | null;
  spotPerHour: number | null;
  regular: number;
  spot: number;
  /** Output (completion) tokens per second one replica serves at full load. */
  outputTokensPerSecond: number | null;
  /** Input (prompt) tokens per second processed alongside, in the same measurement. */
  inputTokensPerSecond: number | null;
  /** 0–1. */
  utilisation: number;
  /** Replicas the load needs (default: all of them); replicas beyond it are spare and serve nothing extra. */
  servingReplicas?: number;
  sellInputPerMillion: number;
  sellOutputPerMillion: number;
}

export interface CostFigures {
  costPerHour: number | null;
  outputTokensPerHour: number | null;
  inputTokensPerHour: number | null;
  /** The whole hour charged to output tokens (the usual reseller figure). */
  costPerMillionOutput: number | null;
  /** The whole hour charged to input tokens, at the same measured mix. */
  costPerMillionInput: number | null;
  revenuePerHour: number | null;
  marginPerHour: number | null;
  marginPercent: number | null;
  /** Why a figure is missing (a missing meter, no throughput figure). */
  missing: string[];
}

export function poolCost(i: CostInputs): CostFigures {
  const missing: string[] = [];
  if (i.regular > 0 && i.onDemandPerHour === null) missing.push('no on-demand (regular) price meter');
  if (i.spot > 0 && i.spotPerHour === null) missing.push('no spot price meter');
  if (i.outputTokensPerSecond === null) missing.push('no throughput figure');
  const costPerHour = missing.some((m) => m.includes('meter'))
    ? null
    : i.regular * (i.onDemandPerHour ?? 0) + i.spot * (i.spotPerHour ?? 0);
  const replicaSecondsPerHour = (i.servingReplicas ?? i.regular + i.spot) * 3600 * i.utilisation;
  const outputTokensPerHour = i.outputTokensPerSecond === null ? null : i.outputTokensPerSecond * replicaSecondsPerHour;
  const inputTokensPerHour = i.inputTokensPerSecond === null ? null : i.inputTokensPerSecond * replicaSecondsPerHour;
  const perMillion = (tokens: number | null) => (costPerHour === null || !tokens ? null : (costPerHour / tokens) * 1e6);
  const revenuePerHour =
    outputTokensPerHour === null
      ? null
      : ((inputTokensPerHour ?? 0) * i.sellInputPerMillion + outputTokensPerHour * i.sellOutputPerMillion) / 1e6;
  const marginPerHour = costPerHour === null || revenuePerHour === null ? null : revenuePerHour - costPerHour;
  return {
    costPerHour,
    outputTokensPerHour,
    inputTokensPerHour,
    costPerMillionOutput: perMillion(outputTokensPerHour),
    costPerMillionInput: perMillion(inputTokensPerHour),
    revenuePerHour,
    marginPerHour,
    marginPercent: marginPerHour === null || !revenuePerHour ? null : (marginPerHour / revenuePerHour) * 100,
    missing,
  };
}
