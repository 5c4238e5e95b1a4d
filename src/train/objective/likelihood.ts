import * as tf from '@tensorflow/tfjs-core';
import type { Likelihood } from './likelihood-spec.js';

export { DEFAULT_LOGVAR_FLOOR, LIKELIHOOD_KINDS, parseLikelihood, type Likelihood } from './likelihood-spec.js';

/**
 * log p(x|z) summed over features, one value per row: `out` is the decoder's raw output (logits
 * for bernoulli, mean for the gaussians) of shape [..., N, D], `x` is [N, D] and broadcasts;
 * `logvarX` (gaussian-learned) is shaped like `out`.
 */
export function logLikelihood(likelihood: Likelihood, x: tf.Tensor, out: tf.Tensor, logvarX?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const features = x.shape[x.shape.length - 1]!;
    if (likelihood.kind === 'gaussian-learned') {
      // −½ Σ [logvar + (x−m)²·exp(−logvar) + log 2π] (docs/math.md)
      const lv = logvarX!;
      const scaled = tf.mul(tf.square(tf.sub(x, out)), tf.exp(tf.neg(lv)));
      return tf.mul(-0.5, tf.add(tf.sum(tf.add(lv, scaled), -1), features * Math.log(2 * Math.PI)));
    }
    if (likelihood.kind === 'bernoulli') {
      // −[max(ℓ,0) − ℓ·x + log(1+exp(−|ℓ|))]: stable for any logit, never log(sigmoid).
      const perFeature = tf.add(tf.sub(tf.relu(out), tf.mul(out, x)), tf.log1p(tf.exp(tf.neg(tf.abs(out)))));
      return tf.neg(tf.sum(perFeature, -1));
    }
    const { sigma } = likelihood;
    const squared = tf.sum(tf.square(tf.sub(x, out)), -1);
    const constant = features * Math.log(sigma * Math.sqrt(2 * Math.PI));
    return tf.sub(tf.mul(squared, -1 / (2 * sigma * sigma)), constant);
  });
}

/** KL(N(μ, σ²) ‖ N(0, 1)) per latent dimension, shape of `mu`. */
export function klPerDimension(mu: tf.Tensor, logvar: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(0.5, tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), logvar), 1)));
}
