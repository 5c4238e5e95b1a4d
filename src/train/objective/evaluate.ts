import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fillStandardNormal } from '../../sampler/index.js';
import { oneHotLabels, type DataSplit } from '../data/dataset.js';
import { klPerDimension, logLikelihood, type Likelihood } from './likelihood.js';

export interface SplitEvaluation {
  /** −ELBO (β = 1, no free bits), nats per example. */
  negElbo: number;
  /** −E_q[log p(x|z)], nats per example. */
  recon: number;
  /** KL(q(z|x) ‖ p(z)), nats per example. */
  kl: number;
  /** Latent dimensions j with Var_x(E_q[z_j]) > 0.01 over the split (docs/math.md). */
  activeUnits: number;
  /** Var_x(μ_j) per dimension. */
  muVariance: number[];
  /** The z ~ q(z|x) drawn for each example (count × J), e.g. to compare with the prior. */
  latents: Float32Array;
}

export interface EvaluateOptions {
  likelihood: Likelihood;
  shape: number[];
  latentDim: number;
  /** ε source: normal number k of example i is offset + i·J + k of (seed, stream). */
  seed: number;
  stream: number;
  offset: number;
  batchSize?: number;
  /** CVAE: the split's labels join x and z as one-hot rows of this many classes. */
  classes?: number;
}

/**
 * Decoder outputs the likelihood reads: logits (bernoulli) or mean (gaussians) first, and for
 * gaussian-learned the logvar_x that follows it (the graph contract's output order).
 */
export function likelihoodOutput(decoderOutputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(decoderOutputs) ? decoderOutputs[0]! : decoderOutputs;
}

/** One-hot labels of rows [start, start + n) of `split` as a tensor, or null without `classes`. */
export function conditionTensor(split: DataSplit, classes: number | undefined, start: number, n: number): tf.Tensor2D | null {
  if (!classes) return null;
  return tf.tensor2d(oneHotLabels(split, classes, Array.from({ length: n }, (_, i) => start + i)), [n, classes]);
}

export function learnedLogvar(likelihood: Likelihood, decoderOutputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  return likelihood.kind === 'gaussian-learned' && Array.isArray(decoderOutputs) ? decoderOutputs[1] : undefined;
}

/**
 * One-sample −ELBO, its two terms and the active units of a data split, in batches. Uses the
 * true ELBO (β = 1, no free bits) whatever the training objective was, so runs compare.
 */
export function evaluateSplit(
  models: { encoder: tfl.LayersModel; decoder: tfl.LayersModel },
  split: DataSplit,
  options: EvaluateOptions,
): SplitEvaluation {
  const { shape, latentDim: J, likelihood } = options;
  const features = shape.reduce((a, b) => a * b, 1);
  const batchSize = options.batchSize ?? 500;
  let recon = 0;
  let kl = 0;
  const muSum = new Float64Array(J);
  const muSquares = new Float64Array(J);
  const latents = new Float32Array(split.count * J);
  for (let start = 0; start < split.count; start += batchSize) {
    const n = Math.min(batchSize, split.count - start);
    const eps = fillStandardNormal(new Float32Array(n * J), {
      seed: options.seed,
      stream: options.stream,
      offset: options.offset + start * J,
    });
    const [reconSum, klSum, mu, zBatch] = tf.tidy(() => {
      const x = tf.tensor(split.x.subarray(start * features, (start + n) * features), [n, ...shape]);
      const c = conditionTensor(split, options.classes, start, n);
      const [mu, logvar] = models.encoder.predict(c ? [x, c] : x) as tf.Tensor[];
      const z = tf.add(mu!, tf.mul(tf.exp(tf.mul(0.5, logvar!)), tf.tensor2d(eps, [n, J])));
      const outputs = models.decoder.predict(c ? [z, c] : z) as tf.Tensor | tf.Tensor[];
      const lv = learnedLogvar(likelihood, outputs);
      const logpx = logLikelihood(
        likelihood,
        tf.reshape(x, [n, features]),
        tf.reshape(likelihoodOutput(outputs), [n, features]),
        lv && tf.reshape(lv, [n, features]),
      );
      return [tf.neg(tf.sum(logpx)), tf.sum(klPerDimension(mu!, logvar!)), mu!, z];
    });
    latents.set(zBatch.dataSync(), start * J);
    recon += reconSum.dataSync()[0]!;
    kl += klSum.dataSync()[0]!;
    const muValues = mu.dataSync();
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < J; j++) {
        const v = muValues[i * J + j]!;
        muSum[j]! += v;
        muSquares[j]! += v * v;
      }
    }
    tf.dispose([reconSum, klSum, mu, zBatch]);
  }
  const count = split.count;
  const muVariance = Array.from(muSum, (s, j) => muSquares[j]! / count - (s / count) ** 2);
  return {
    negElbo: (recon + kl) / count,
    recon: recon / count,
    kl: kl / count,
    activeUnits: muVariance.filter((v) => v > 0.01).length,
    muVariance,
    latents,
  };
}
