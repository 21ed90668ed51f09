// A small seeded PRNG (mulberry32): the same --seed gives the same workload and arrival times,
// so two runs of a comparison differ only in the system under test.
import { mulberry32 } from '../../lib/mulberry32.js';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** Exponential inter-arrival time with the given rate (events per unit). */
  exponential(rate: number): number;
  /** Log-normal with the given median and spread (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed >>> 0 || 0x9e3779b9);
  const normal = () => {
    // Box–Muller; 1 - next() keeps the log argument in (0, 1].
    return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
    exponential: (rate) => -Math.log(1 - next()) / rate,
    logNormal: (median, sigma) => median * Math.exp(sigma * normal()),
  };
}

/** A weighted chooser over named shares, e.g. a model mix. */
export function weightedPicker<T extends string>(rng: Rng, weights: ReadonlyArray<[T, number]>): () => T {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  return () => {
    let x = rng.next() * total;
    for (const [name, w] of weights) {
      x -= w;
      if (x < 0) return name;
    }
    return weights[weights.length - 1][0];
  };
}
