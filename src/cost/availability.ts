// The availability model behind `cost --recommend` (docs/cost.md "Availability model"):
// regular replicas are never evicted; each spot replica alternates between up (exponentially
// distributed, at the band's hourly eviction rate λ) and down for the repair time R (the scale
// set replaces it and the model loads). Its steady-state probability of being up is
// 1 / (1 + λ·R). Spot replicas are taken as independent, so the number up is binomial, and
// P(ready ≥ min) = P(regular + Binomial(spot, p_up) ≥ min).
import type { Sourced } from './sourced.js';
import { sourced } from './sourced.js';

/** `20+` has no upper bound; this is the rate assumed for it (shown as an assumption). */
export const RATE_FOR_20_PLUS = 0.3;

/**
 * Hourly eviction rate used for a band: its upper bound (the pessimistic end), e.g. `5-10` → 0.10.
 * Undefined for a band the function does not recognise.
 */
export function bandRate(band: string): Sourced<number> | undefined {
  const range = /^(\d+)-(\d+)$/.exec(band.trim());
  if (range) return sourced(Number(range[2]) / 100, 'assumed', `upper bound of band ${band}%/h`);
  if (/^20\+$/.test(band.trim()))
    return sourced(RATE_FOR_20_PLUS, 'assumed', `band 20+ has no upper bound: ${RATE_FOR_20_PLUS * 100}%/h assumed`);
  return undefined;
}

/** Steady-state probability that one spot replica is up. */
export function spotUpProbability(ratePerHour: number, repairHours: number): number {
  return 1 / (1 + ratePerHour * repairHours);
}

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** P(at least `min` of `regular + spot` replicas are ready). */
export function probabilityReady(p: { regular: number; spot: number; min: number; ratePerHour: number; repairHours: number }): number {
  const need = p.min - p.regular;
  if (need <= 0) return 1;
  if (need > p.spot) return 0;
  const up = spotUpProbability(p.ratePerHour, p.repairHours);
  let total = 0;
  for (let k = need; k <= p.spot; k++) total += choose(p.spot, k) * up ** k * (1 - up) ** (p.spot - k);
  return Math.min(1, total);
}

/** Regular and spot replica counts for `n` replicas under Azure's Spot Priority Mix settings. */
export function priorityMix(n: number, spot: { enabled: boolean; regularBase: number; regularPercentAboveBase: number }) {
  if (!spot.enabled) return { regular: n, spot: 0 };
  const base = Math.min(n, spot.regularBase);
  // Rounded up: the conservative reading (more regular VMs) of a fractional share.
  const above = Math.ceil(((n - base) * spot.regularPercentAboveBase) / 100);
  return { regular: base + above, spot: n - base - above };
}
