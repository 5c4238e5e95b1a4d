import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fillStandardNormal } from '../../sampler/index.js';
import type { DataSplit } from '../data/dataset.js';
import { conditionTensor, learnedLogvar, likelihoodOutput } from './evaluate.js';
import { logLikelihood, type Likelihood } from './likelihood.js';

export interface IwaeOptions {
  likelihood: Likelihood;
  shape: number[];
  latentDim: number;
  /** K: importance samples per example (K = 1 is the ELBO). */
  samples: number;
  seed: number;
  stream: number;
  /** CVAE: the split's labels as one-hot conditions of this many classes. */
  classes?: number;
  /** Rows (examples × K) decoded at once; bounds memory. */
  maxRows?: number;
  onProgress?: (done: number, total: number) => void;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Importance-sampled negative log-likelihood −log p(x) in nats per example (docs/math.md):
 * log p(x) ≈ logsumexp_k [log p(x|z_k) + log p(z_k) − log q(z_k|x)] − log K, z_k ~ q(z|x),
 * with the maximum subtracted inside log-sum-exp. ε of example i, sample k, dimension j is normal
 * number (i·K + k)·J + j of (seed, stream).
 */
export function iwaeNegLogLikelihood(
  models: { encoder: tfl.LayersModel; decoder: tfl.LayersModel },
  split: DataSplit,
  options: IwaeOptions,
): number {
  const { shape, latentDim: J, samples: K, likelihood } = options;
  const features = shape.reduce((a, b) => a * b, 1);
  const perChunk = Math.max(1, Math.floor((options.maxRows ?? 8192) / K));
  let total = 0;
  for (let start = 0; start < split.count; start += perChunk) {
    const n = Math.min(perChunk, split.count - start);
    const eps = fillStandardNormal(new Float32Array(n * K * J), {
      seed: options.seed,
      stream: options.stream,
      offset: start * K * J,
    });
    const chunkSum = tf.tidy(() => {
      const x = tf.tensor(split.x.subarray(start * features, (start + n) * features), [n, ...shape]);
      const c = conditionTensor(split, options.classes, start, n);
      const [mu, logvar] = models.encoder.predict(c ? [x, c] : x) as tf.Tensor[];
      const e = tf.tensor3d(eps, [n, K, J]);
      const std = tf.exp(tf.mul(0.5, logvar!));
      const z = tf.add(tf.expandDims(mu!, 1), tf.mul(tf.expandDims(std, 1), e)); // [n, K, J]
      const zFlat = tf.reshape(z, [n * K, J]);
      // Example-major: example i's label repeats for its K samples.
      const cRepeated = c && tf.reshape(tf.tile(tf.expandDims(c, 1), [1, K, 1]), [n * K, options.classes!]);
      const outputs = models.decoder.predict(cRepeated ? [zFlat, cRepeated] : zFlat) as tf.Tensor | tf.Tensor[];
      const lv = learnedLogvar(likelihood, outputs);
      const logpx = logLikelihood(
        likelihood,
        tf.reshape(x, [n, 1, features]),
        tf.reshape(likelihoodOutput(outputs), [n, K, features]),
        lv && tf.reshape(lv, [n, K, features]),
      ); // [n, K]
      const logpz = tf.mul(-0.5, tf.add(tf.sum(tf.square(z), -1), J * LOG_2PI));
      // z − μ = σ·ε, so log q(z|x) needs only logvar and ε.
      const logqz = tf.mul(
        -0.5,
        tf.add(tf.sum(tf.add(tf.expandDims(logvar!, 1), tf.square(e)), -1), J * LOG_2PI),
      );
      const logw = tf.sub(tf.add(logpx, logpz), logqz);
      const logMarginal = tf.sub(tf.logSumExp(logw, 1), Math.log(K));
      return tf.sum(logMarginal);
    });
    total += chunkSum.dataSync()[0]!;
    chunkSum.dispose();
    options.onProgress?.(start + n, split.count);
  }
  return -total / split.count;
}
