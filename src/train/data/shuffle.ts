import { fillUniform } from '../../sampler/index.js';

/**
 * A seeded permutation of 0…n−1 (Fisher–Yates), drawn from the shared sampler's uniforms so the
 * same (seed, stream, offset) gives the same order in every runtime.
 */
export function seededPermutation(n: number, options: { seed: number; stream: number; offset: number }): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const u = fillUniform(new Float64Array(n), options);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i]! * (i + 1)); // u < 1, so j ≤ i
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
