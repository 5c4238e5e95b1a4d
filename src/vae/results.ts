/** What the Vae methods return. */
import type { VaeTensor } from './tensor.js';

export interface EncodeResult {
  mu: VaeTensor;
  logvar: VaeTensor;
  /** z = μ + exp(½·logvar)·(τ·ε), with `sample: true`. */
  z?: VaeTensor;
}

export interface DecodeResult {
  /** E[x|z]: sigmoid probabilities (bernoulli) or the Gaussian mean, shaped like the input. */
  mean: VaeTensor;
  logits?: VaeTensor;
  logvarX?: VaeTensor;
}

export interface LatentsAndDecoded extends DecodeResult {
  z: VaeTensor;
}

export interface ScoreResult {
  /** One value per example, nats. */
  perExample: Float64Array;
  /** Their mean. */
  mean: number;
}

export interface ElboResult extends ScoreResult {
  /** E_q log p(x|z) per example (one ε draw). */
  logLikelihood: Float64Array;
  kl: Float64Array;
}
