/** A small deterministic random source (mulberry32) for data generators. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Normal with the given mean and standard deviation (Box-Muller). */
  normal(mean: number, standardDeviation: number): number;
  /** One of `choices`, with probability proportional to its weight. */
  pick<T>(choices: readonly (readonly [T, number])[]): T;
}

/** A random source whose sequence depends only on `seed` (any integer). */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal(mean, standardDeviation) {
      const u = 1 - next();
      const v = next();
      return mean + standardDeviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    pick(choices) {
      const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
      let threshold = next() * total;
      for (const [value, weight] of choices) {
        threshold -= weight;
        if (threshold < 0) return value;
      }
      return choices[choices.length - 1][0];
    },
  };
}
