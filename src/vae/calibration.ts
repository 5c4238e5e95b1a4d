import type { ManifestCalibration } from '../manifest/schema.js';

/** Which score a percentile is taken of. */
export type CalibratedScore = 'negElbo' | 'nll';

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
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = 100 * percentileOf(p, q, values[i]!);
  return out;
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
