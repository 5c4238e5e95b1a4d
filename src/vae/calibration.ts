/**
 * The manifest's calibration record: quantiles of the anomaly scores on reference data (written at
 * export and by `vaekit calibrate`), and percentiles of new scores against them.
 */
import { VaekitError } from '../errors.js';
import type { ManifestCalibration, VaeManifest } from '../manifest/schema.js';

/** Which score a percentile is taken of; the `…Complexity` ones subtract the input's complexity. */
export type CalibratedScore = 'negElbo' | 'nll' | 'negElboComplexity' | 'nllComplexity';

/**
 * Probabilities of the calibration grid, 119 points: steps of 0.001 in the tails (0–0.01 and
 * 0.99–1, where anomaly thresholds sit; a reference of ~1000 rows resolves no finer) and of 0.01
 * between, where the curve is smooth and linear interpolation costs a fraction of a percentile.
 * The manifest stays small (it is read before the graphs, in browsers too).
 */
export const CALIBRATION_GRID: readonly number[] = [
  ...Array.from({ length: 10 }, (_, i) => i / 1000),
  ...Array.from({ length: 98 }, (_, i) => (i + 1) / 100),
  ...Array.from({ length: 10 }, (_, i) => (990 + i) / 1000),
  1,
];

/** Stored quantiles are rounded to 1e-4 nats (far below the 1e-3 nats of the log p(x) parity tolerance); rounding is monotone. */
const roundQuantile = (q: number): number => Number(q.toFixed(4));

/**
 * Quantiles of `values` at the probabilities `p`, Hyndman & Fan's definition 7 (R's default,
 * numpy's `linear`): with the n values sorted, q(p) = x[h] interpolated linearly at h = (n − 1)·p
 * (0-based). Rounded to 1e-4 nats; rounding keeps the curve non-decreasing. NaN values refuse.
 *
 * @example
 * ```ts
 * quantiles([3, 1, 2, 4], [0, 0.5, 1]); // [1, 2.5, 4]
 * ```
 */
export function quantiles(values: ArrayLike<number>, p: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) throw new VaekitError('invalid-argument', `'values' must hold at least one score to take quantiles of; found none`);
  if (!sorted.every(Number.isFinite)) throw new VaekitError('invalid-argument', `'values' must be finite scores; found ${sorted.find((v) => !Number.isFinite(v))}`);
  const last = sorted.length - 1;
  return p.map((prob) => {
    const h = last * prob;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, last);
    return roundQuantile(sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!));
  });
}

/**
 * Percentile (0–100) of each value against a calibrated score distribution: the probability p at
 * which the reference quantile curve reaches the value, linear between grid points; below the
 * smallest reference value 0, above the largest 100. Higher scores are more anomalous.
 *
 * @example
 * ```ts
 * const pct = scorePercentiles(vae.manifest.calibration!, 'nll', new Float64Array([95, 180]));
 * ```
 */
export function scorePercentiles(calibration: ManifestCalibration, score: CalibratedScore, values: ArrayLike<number>): Float64Array {
  const p = calibration.quantiles.p;
  const q = calibration.quantiles[score];
  if (!q) {
    throw new VaekitError('invalid-argument', `the calibration (${calibration.data}) has no '${score}' quantiles: recalibrate with \`vaekit calibrate MODEL --data …\` (an image model records the complexity-adjusted scores)`);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = 100 * percentileOf(p, q, values[i]!);
  return out;
}

/** The score at percentile `percentile` (0–100) of the reference: the inverse of scorePercentiles. */
export function scoreAtPercentile(calibration: ManifestCalibration, score: CalibratedScore, percentile: number): number {
  const p = calibration.quantiles.p;
  const q = calibration.quantiles[score]!;
  const target = percentile / 100;
  let i = 1;
  while (i < p.length - 1 && p[i]! < target) i++;
  const span = p[i]! - p[i - 1]!;
  return span > 0 ? q[i - 1]! + ((target - p[i - 1]!) / span) * (q[i]! - q[i - 1]!) : q[i]!;
}

function percentileOf(p: readonly number[], q: readonly number[], value: number): number {
  if (Number.isNaN(value)) return Number.NaN;
  const last = q.length - 1;
  if (value < q[0]!) return 0;
  if (value >= q[last]!) return 1;
  // First index whose quantile exceeds the value (binary search over the non-decreasing curve).
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (q[mid]! <= value) lo = mid;
    else hi = mid;
  }
  // Ties (flat runs of the curve) take the highest probability at that value.
  const span = q[hi]! - q[lo]!;
  return span > 0 ? p[lo]! + ((value - q[lo]!) / span) * (p[hi]! - p[lo]!) : p[hi]!;
}

/**
 * The manifest as vaekit writes it (two-space JSON), with each calibration quantile array on one
 * line: 119 numbers per array would otherwise take a line each.
 */
export function manifestText(manifest: Pick<VaeManifest, 'calibration'>): string {
  const arrays: number[][] = [];
  const text = JSON.stringify(manifest, function (this: unknown, _key, value) {
    if (this === manifest.calibration?.quantiles && Array.isArray(value)) {
      arrays.push(value as number[]);
      return `\u0000${arrays.length - 1}\u0000`;
    }
    return value;
  }, 2);
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => JSON.stringify(arrays[Number(i)])) + '\n';
}
