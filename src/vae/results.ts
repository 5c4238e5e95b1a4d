/** What the Vae methods return. */
import type { VaeTensor } from './tensor.js';

export interface EncodeResult {
  mu: VaeTensor;
  logvar: VaeTensor;
  /** z = μ + exp(½·logvar)·(τ·ε), with `sample: true`. */
  z?: VaeTensor;
}

/**
 * Decoded images or rows, each [N, …input.shape] in the model's layout: [N, H, W, C] for `hwc`,
 * [N, C, H, W] for `chw` (src/vae/pixel-layout.ts turns them channel-last for drawing).
 */
export interface DecodeResult {
  /** E[x|z]: sigmoid probabilities (bernoulli; sigmoid(logits), computed by vaekit, for a logits-only decoder) or the Gaussian mean. */
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
