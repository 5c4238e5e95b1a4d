/** The likelihoods as data, without TensorFlow.js: the CLI's option tables load before any training peer. */
import { checkValue, finiteNumber, oneOf, positiveNumber } from '../options/value-types.js';

/** The decoder's observation model p(x|z) (docs/math.md). */
export type Likelihood =
  | { kind: 'bernoulli' }
  | { kind: 'gaussian'; sigma: number }
  /** The decoder also outputs logvar_x per feature, kept ≥ `logvarFloor` so training cannot diverge. */
  | { kind: 'gaussian-learned'; logvarFloor: number };

export const LIKELIHOOD_KINDS = ['bernoulli', 'gaussian', 'gaussian-learned'] as const;

/** Default floor of a learned log-variance: σ_x ≥ exp(−3) ≈ 0.05 for data in [0, 1]. */
export const DEFAULT_LOGVAR_FLOOR = -6;

export function parseLikelihood(kind: string, sigma = 1, logvarFloor = DEFAULT_LOGVAR_FLOOR): Likelihood {
  switch (checkValue('likelihood', oneOf(LIKELIHOOD_KINDS), kind)) {
    case 'gaussian-learned':
      return { kind: 'gaussian-learned', logvarFloor: checkValue('logvarFloor', finiteNumber, logvarFloor) };
    case 'gaussian':
      return { kind: 'gaussian', sigma: checkValue('sigma', positiveNumber, sigma) };
    default:
      return { kind: 'bernoulli' };
  }
}
