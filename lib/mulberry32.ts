// mulberry32: a tiny, fast seeded PRNG (not for secrets). Every seeded choice in gpuarb — the
// emulator's ids and fault rolls, load-test arrivals, test weights and fault schedules — uses this
// one generator, so a run replays from its seed.

/** Uniform numbers in [0, 1) from a 32-bit starting state. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
