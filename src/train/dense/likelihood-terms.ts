/**
 * The reconstruction term of the dense VAE step and its gradient, per element of the decoder's
 * pre-activation output, in one pass: −log p(x|z) summed (float64), ∂/∂pre written over `pre`.
 * The same formulas as objective/likelihood.ts (docs/math.md), which tfjs differentiates.
 */
import type { HeapKernels } from '../backend/heap-kernels.js';
import type { DenseLikelihood } from './dense-vae-plan.js';

/** The Bernoulli term on wasm SIMD (heap-kernels.wat › bernoulli_terms): the kernels and the byte addresses of `pre` and `x`. */
export interface SimdTerms {
  kernels: Pick<HeapKernels, 'bernoulli_terms'>;
  preAt: number;
  xAt: number;
}

const LN2 = Math.LN2;
const INV_LN2 = 1 / Math.LN2;
/** 2^−k for the range reduction of exp. */
const POW2_NEG = Float64Array.from({ length: 160 }, (_, k) => 2 ** -k);

/** e^−a for a ≥ 0 (relative error < 1e-8, far below float32's): Math.exp costs 3× as much. */
function expNegative(a: number): number {
  if (a > 103) return 0; // below float32's smallest subnormal
  const k = Math.floor(a * INV_LN2 + 0.5);
  const r = k * LN2 - a; // |r| ≤ ln2 / 2
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POW2_NEG[k]!;
}

/** log(1 + e) for 0 ≤ e ≤ 1, as 2·atanh(e / (2 + e)) (relative error < 2e-8). */
function log1pUnit(e: number): number {
  const t = e / (2 + e);
  const t2 = t * t;
  return 2 * t * (1 + t2 * (1 / 3 + t2 * (1 / 5 + t2 * (1 / 7 + t2 * (1 / 9 + t2 * (1 / 11 + t2 * (1 / 13)))))));
}

/**
 * `pre` holds R = L·n rows of `features` decoder outputs (row r decodes example r mod n, whose
 * values are row r mod n of `x`). Returns Σ over every row of −log p(x|z) and overwrites `pre`
 * with `scale` · ∂(−log p)/∂pre.
 */
export function reconstructionTerms(
  likelihood: DenseLikelihood, pre: Float32Array, x: Float32Array, R: number, n: number, features: number, scale: number, simd?: SimdTerms,
): number {
  if (likelihood.kind !== 'bernoulli') return gaussianTerms(likelihood, pre, x, R, n, features, scale);
  if (!simd) return bernoulliTerms(pre, x, R, n, features, scale);
  // Sample l's rows line up with x's n rows: one flat block of n·features values per sample, on
  // SIMD (6× the loop below, which runs every output value of every step) but for its last < 4.
  const block = n * features;
  const vector = block - (block % 4);
  let sum = 0;
  for (let l = 0; l < R / n; l++) {
    sum += simd.kernels.bernoulli_terms(simd.preAt + 4 * l * block, simd.xAt, vector, scale);
    if (vector < block) sum += bernoulliTerms(pre.subarray(l * block + vector, (l + 1) * block), x.subarray(vector, block), 1, 1, block - vector, scale);
  }
  return sum;
}

/** max(ℓ,0) − ℓ·x + log(1+e^−|ℓ|) per value; its gradient σ(ℓ) − x. */
function bernoulliTerms(pre: Float32Array, x: Float32Array, R: number, n: number, features: number, scale: number): number {
  let sum = 0;
  for (let r = 0; r < R; r++) {
    const row = r * features;
    const xRow = (r % n) * features;
    let rowSum = 0;
    for (let d = 0; d < features; d++) {
      const l = pre[row + d]!;
      const xv = x[xRow + d]!;
      const e = expNegative(l < 0 ? -l : l);
      const inverse = 1 / (1 + e);
      rowSum += (l > 0 ? l : 0) - l * xv + log1pUnit(e);
      pre[row + d] = ((l >= 0 ? inverse : e * inverse) - xv) * scale;
    }
    sum += rowSum;
  }
  return sum;
}

/** (x − m)²/(2σ²) + log(σ√(2π)) per value, m = pre or sigmoid(pre); its gradient (m − x)/σ² · dm/dpre. */
function gaussianTerms(
  likelihood: Extract<DenseLikelihood, { kind: 'gaussian' }>, pre: Float32Array, x: Float32Array, R: number, n: number, features: number, scale: number,
): number {
  const inverseVariance = 1 / (likelihood.sigma * likelihood.sigma);
  let sum = R * features * Math.log(likelihood.sigma * Math.sqrt(2 * Math.PI));
  for (let r = 0; r < R; r++) {
    const row = r * features;
    const xRow = (r % n) * features;
    for (let d = 0; d < features; d++) {
      const p = pre[row + d]!;
      let m = p;
      let slope = 1;
      if (likelihood.sigmoidMean) {
        const e = expNegative(p < 0 ? -p : p);
        const inverse = 1 / (1 + e);
        m = p >= 0 ? inverse : e * inverse;
        slope = m * (1 - m);
      }
      const diff = m - x[xRow + d]!;
      sum += 0.5 * diff * diff * inverseVariance;
      pre[row + d] = diff * inverseVariance * slope * scale;
    }
  }
  return sum;
}
