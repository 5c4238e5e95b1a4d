/**
 * The reparameterization z = μ + exp(½·logvar)·(τ·ε) and prior sampling, in float32 with a fixed
 * order of operations, so z is bit-identical in every runtime (see the doc comments for the order).
 */
import { exp } from './math.js';
import { writeNormals } from './normal.js';
import type { StreamOptions } from './stream.js';
import {
  checkArray,
  checkCount,
  checkLength,
  checkOffset,
  checkOptions,
  checkSeed,
  checkStream,
  checkTemperature,
} from './validate.js';

/** Options of {@link reparameterize}. */
export interface ReparameterizeOptions {
  /** τ > 0 multiplies ε (default 1); used as float32. */
  temperature?: number;
  /** Receives z (same length as mu); may be one of the inputs. A new array when omitted. */
  out?: Float32Array;
}

/**
 * z = μ + exp(½·logvar) · (τ·ε), element-wise, in float32 semantics. For each i, with every
 * intermediate rounded to float32 (`fround` = Math.fround) in exactly this order:
 *
 * ```text
 * τ = fround(temperature)
 * h = fround(0.5 · logvar[i])
 * σ = fround(exp(h))          // vaekit's deterministic exp (sampler/math.ts) in float64
 * e = fround(τ · eps[i])
 * p = fround(σ · e)
 * z[i] = fround(mu[i] + p)
 * ```
 *
 * Each ×/+ of two float32 values is computed in float64 and then rounded, which equals the
 * correctly rounded float32 operation, so only `exp` needed replacing to be engine-independent.
 * Non-finite inputs or an overflowing σ propagate as ±Infinity/NaN; they do not throw.
 *
 * @param mu - posterior means, float32 [N·J].
 * @param logvar - posterior log-variances, same length.
 * @param eps - standard normal draws (e.g. from `fillStandardNormal`), same length.
 * @throws VaekitError 'invalid-argument' for non-Float32Array inputs, length mismatches or a
 *   temperature that is not a positive finite number.
 *
 * @example
 * ```ts
 * import { fillStandardNormal, reparameterize } from 'vaekit';
 * const mu = new Float32Array([0, 1]);
 * const logvar = new Float32Array([0, -2]);
 * const eps = fillStandardNormal(new Float32Array(2), { seed: 3 });
 * const z = reparameterize(mu, logvar, eps, { temperature: 0.8 });
 * z[0] === Math.fround(Math.fround(0.8) * eps[0]!); // true (μ = 0, σ = 1)
 * ```
 */
export function reparameterize(
  mu: Float32Array,
  logvar: Float32Array,
  eps: Float32Array,
  options: ReparameterizeOptions = {},
): Float32Array {
  checkArray(mu, Float32Array, 'mu');
  checkArray(logvar, Float32Array, 'logvar');
  checkArray(eps, Float32Array, 'eps');
  const o = checkOptions(options);
  const n = mu.length;
  checkLength(logvar, n, 'logvar', "the length of 'mu'");
  checkLength(eps, n, 'eps', "the length of 'mu'");
  const tau = checkTemperature(o.temperature);
  const out = o.out === undefined ? new Float32Array(n) : checkArray(o.out, Float32Array, 'out');
  checkLength(out, n, 'out', "the length of 'mu'");
  const fround = Math.fround;
  for (let i = 0; i < n; i++) {
    const sigma = fround(exp(fround(0.5 * logvar[i]!)));
    const e = fround(tau * eps[i]!);
    out[i] = fround(mu[i]! + fround(sigma * e));
  }
  return out;
}

/** Options of {@link samplePrior}: where ε starts, and the temperature. */
export interface SamplePriorOptions extends StreamOptions {
  /** τ > 0 multiplies ε (default 1); used as float32. */
  temperature?: number;
}

/**
 * `count` draws from the prior N(0, τ²·I) over `latentDim` dimensions, as a row-major
 * [count, latentDim] Float32Array: element (n, j) = fround(fround(τ) · ε[offset + n·latentDim + j])
 * with ε the normal stream (seed, stream). This is exactly `reparameterize` with μ = 0 and
 * logvar = 0 (σ = exp(0) = 1), so the two agree bit for bit.
 *
 * @throws VaekitError 'invalid-argument' for a bad count, latentDim, seed, stream, offset or
 *   temperature.
 *
 * @example
 * ```ts
 * import { samplePrior } from 'vaekit';
 * const z = samplePrior(16, 20, { seed: 42, temperature: 0.7 }); // 16 draws × 20 dims
 * z.length; // 320
 * ```
 */
export function samplePrior(count: number, latentDim: number, options: SamplePriorOptions): Float32Array {
  checkCount(count, 'count');
  checkCount(latentDim, 'latentDim', 1);
  const o = checkOptions(options);
  const seed = checkSeed(o.seed);
  const stream = checkStream(o.stream);
  const tau = checkTemperature(o.temperature);
  const total = count * latentDim;
  const offset = checkOffset(o.offset, total);
  const out = new Float32Array(total);
  writeNormals(out, seed, stream, offset);
  if (tau !== 1) {
    for (let i = 0; i < total; i++) out[i] = Math.fround(tau * out[i]!);
  }
  return out;
}
