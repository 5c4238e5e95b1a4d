import { fillStandardNormal } from '../../sampler/index.js';

/** How closely encoded latents follow the prior N(0, I): what an AAE is trained for, and a VAE's KL pushes toward. */
export interface LatentMatch {
  /** Per latent dimension: mean of the encoded z over the split (prior: 0). */
  mean: number[];
  /** Per latent dimension: standard deviation of the encoded z over the split (prior: 1). */
  std: number[];
  /**
   * Unbiased MMD² between encoded z and as many N(0, I) draws, inverse multiquadric kernel
   * k(a, b) = C / (C + ‖a − b‖²) with C = 2J (Tolstikhin et al., WAE). 0 when they match; the
   * estimate is noisy around 0 (it can be slightly negative).
   */
  mmd: number;
  /** Examples the MMD used (the first `mmdSamples` of the split). */
  mmdSamples: number;
}

/** The MMD uses at most this many latents: O(n²·J) work, and 2 000 resolves differences of ~1e-3. */
export const MMD_SAMPLES = 2000;

/**
 * Compares encoded latents z (n × J, row-major: one z ~ q(z|x) per example) with the prior.
 * The prior draws come from the shared sampler (`seed`, `stream`), so the figure is reproducible.
 *
 * @example
 * ```ts
 * const match = latentMatch(z, n, 20, { seed: 1, stream: STREAMS.latentMatch });
 * console.log(match.mmd, match.std);
 * ```
 */
export function latentMatch(z: Float32Array, n: number, J: number, options: { seed: number; stream: number }): LatentMatch {
  if (z.length !== n * J) throw new RangeError(`'z' must hold n·J = ${n * J} values; found ${z.length}`);
  const sum = new Float64Array(J);
  const squares = new Float64Array(J);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < J; j++) {
      const v = z[i * J + j]!;
      sum[j]! += v;
      squares[j]! += v * v;
    }
  }
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(squares, (q, j) => Math.sqrt(Math.max(0, q / n - mean[j]! ** 2)));
  const m = Math.min(n, MMD_SAMPLES);
  const prior = fillStandardNormal(new Float32Array(m * J), { seed: options.seed, stream: options.stream, offset: 0 });
  return { mean, std, mmd: m > 1 ? mmdImq(z.subarray(0, m * J), prior, m, J) : Number.NaN, mmdSamples: m };
}

/** Unbiased MMD² of two equally sized samples with the inverse multiquadric kernel, C = 2J. */
export function mmdImq(a: Float32Array, b: Float32Array, m: number, J: number): number {
  const C = 2 * J;
  const kernelMean = (p: Float32Array, q: Float32Array, sameSample: boolean) => {
    let total = 0;
    for (let i = 0; i < m; i++) {
      for (let k = sameSample ? i + 1 : 0; k < m; k++) {
        let d = 0;
        for (let j = 0; j < J; j++) {
          const diff = p[i * J + j]! - q[k * J + j]!;
          d += diff * diff;
        }
        total += C / (C + d);
      }
    }
    // Within a sample: the i ≠ k pairs, each counted once above.
    return sameSample ? (2 * total) / (m * (m - 1)) : total / (m * m);
  };
  return kernelMean(a, a, true) + kernelMean(b, b, true) - 2 * kernelMean(a, b, false);
}
