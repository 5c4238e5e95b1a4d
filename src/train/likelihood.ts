import * as tf from '@tensorflow/tfjs-core';
import { VaekitError } from '../errors.js';

/** The decoder's observation model p(x|z) (VAE.md). */
export type Likelihood = { kind: 'bernoulli' } | { kind: 'gaussian'; sigma: number };

export const LIKELIHOOD_KINDS = ['bernoulli', 'gaussian'] as const;

export function parseLikelihood(kind: string, sigma = 1): Likelihood {
  if (kind === 'bernoulli') return { kind };
  if (kind === 'gaussian') {
    if (!(sigma > 0) || !Number.isFinite(sigma)) {
      throw new VaekitError('invalid-argument', `'sigma' must be a positive finite number; found ${sigma}`);
    }
    return { kind, sigma };
  }
  throw new VaekitError(
    'invalid-argument',
    `'likelihood' must be one of ${LIKELIHOOD_KINDS.join(', ')}; found ${JSON.stringify(kind)}`,
  );
}

/**
 * log p(x|z) summed over features, one value per row: `out` is the decoder's raw output (logits
 * for bernoulli, mean for gaussian) of shape [..., N, D], `x` is [N, D] and broadcasts.
 */
export function logLikelihood(likelihood: Likelihood, x: tf.Tensor, out: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const features = x.shape[x.shape.length - 1]!;
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
