/**
 * Runner 1 — tfjs: the trainer's own models (test/fixtures/mnist-mlp-tfjs, the weights
 * models/mnist-mlp was exported from) on the tfjs wasm backend. ε comes from the shared sampler
 * (the same functions the SDK uses); everything else is tfjs `predict` and tfjs ops, with the
 * importance-sampled log p(x) computed per example as the trainer's src/train/objective/iwae.ts does.
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fillStandardNormal } from '../../../src/sampler/index.js';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { iwaeNegLogLikelihood } from '../../../src/train/objective/iwae.js';
import { logLikelihood } from '../../../src/train/objective/likelihood.js';
import { loadLayersModelFile } from '../../../src/train/model/model-artifacts.js';
import { complexityBits } from '../../../src/vae/complexity.js';
import { IWAE_STREAM } from '../../../src/vae/anomaly-streams.js';
import { ANOMALY, LATENT_DIM, LOG_LIKELIHOOD, PIXELS, latentDraws, samplerQuantities, type ConformanceInput, type ConformanceResult } from '../conformance.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/mnist-mlp-tfjs/', import.meta.url));
const LOG_2PI = Math.log(2 * Math.PI);

function predictPair(model: tfl.LayersModel, input: tf.Tensor): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const [a, b] = model.predict(input) as tf.Tensor[];
    return [a!.dataSync() as Float32Array, b!.dataSync() as Float32Array];
  });
}

/** log p(x) per example, K importance samples: iwae.ts's computation without the final sum. */
function logLikelihoodPerExample(
  models: { encoder: tfl.LayersModel; decoder: tfl.LayersModel },
  x: Float32Array,
  n: number,
  { k: K, seed, stream, offset }: { k: number; seed: number; stream: number; offset: number } = LOG_LIKELIHOOD,
): number[] {
  const J = LATENT_DIM;
  const eps = fillStandardNormal(new Float32Array(n * K * J), { seed, stream, offset });
  return tf.tidy(() => {
    const xt = tf.tensor(x, [n, 28, 28, 1]);
    const [mu, logvar] = models.encoder.predict(xt) as tf.Tensor[];
    const e = tf.tensor3d(eps, [n, K, J]);
    const std = tf.exp(tf.mul(0.5, logvar!));
    const z = tf.add(tf.expandDims(mu!, 1), tf.mul(tf.expandDims(std, 1), e));
    const [logits] = models.decoder.predict(tf.reshape(z, [n * K, J])) as tf.Tensor[];
    const logpx = logLikelihood({ kind: 'bernoulli' }, tf.reshape(xt, [n, 1, PIXELS]), tf.reshape(logits!, [n, K, PIXELS]));
    const logpz = tf.mul(-0.5, tf.add(tf.sum(tf.square(z), -1), J * LOG_2PI));
    const logqz = tf.mul(-0.5, tf.add(tf.sum(tf.add(tf.expandDims(logvar!, 1), tf.square(e)), -1), J * LOG_2PI));
    const logw = tf.sub(tf.add(logpx, logpz), logqz);
    return Array.from(tf.sub(tf.logSumExp(logw, 1), Math.log(K)).dataSync());
  });
}

export async function runTfjs(input: ConformanceInput): Promise<ConformanceResult> {
  const backend = await selectBackend('wasm');
  const encoder = await loadLayersModelFile(FIXTURE, 'encoder');
  const decoder = await loadLayersModelFile(FIXTURE, 'decoder');
  const started = performance.now();
  try {
    const x = Float32Array.from(input.x);
    const n = x.length / PIXELS;
    const sampler = samplerQuantities(input.golden);
    const z = latentDraws();
    const [mu, logvar] = predictPair(encoder, tf.tensor(x, [n, 28, 28, 1]));
    const [logits, mean] = predictPair(decoder, tf.tensor2d(z, [z.length / LATENT_DIM, LATENT_DIM]));
    const [, reconstruction] = predictPair(decoder, tf.tensor2d(mu, [n, LATENT_DIM]));
    const perExample = logLikelihoodPerExample({ encoder, decoder }, x, n);
    // vae.anomaly's score: the IWAE NLL on `vaekit score`'s stream, minus L(x)·ln 2 with complexity.
    const anomalyNll = logLikelihoodPerExample({ encoder, decoder }, x, n, { ...ANOMALY, stream: IWAE_STREAM, offset: 0 }).map((v) => -v);
    const bits = complexityBits(x, n, { shape: [28, 28, 1], layout: 'hwc', range: [0, 1], scaling: null });
    // The trainer's own estimator on the same ε layout: its mean must be the per-example mean.
    const trainerNll = iwaeNegLogLikelihood({ encoder, decoder }, { x, labels: null, count: n }, {
      likelihood: { kind: 'bernoulli' },
      shape: [28, 28, 1],
      latentDim: LATENT_DIM,
      samples: LOG_LIKELIHOOD.k,
      seed: LOG_LIKELIHOOD.seed,
      stream: LOG_LIKELIHOOD.stream,
    });
    return {
      provider: `tfjs ${tf.getBackend()}`,
      goldenMismatches: sampler.goldenMismatches,
      quantities: {
        ...sampler.quantities,
        'encoder.mu': Array.from(mu),
        'encoder.logvar': Array.from(logvar),
        'decoder.mean': Array.from(mean),
        'decoder.logits': Array.from(logits),
        reconstruction: Array.from(reconstruction),
        logLikelihood: perExample,
        'anomaly.nllComplexity': anomalyNll.map((v, i) => v - bits[i]! * Math.LN2),
        'anomaly.complexityBits': Array.from(bits),
      },
      warnings: [],
      ms: performance.now() - started,
      info: { backend: backend.name, skipped: backend.skipped, trainerIwaeNll: trainerNll, perExampleMeanNll: -perExample.reduce((a, b) => a + b, 0) / n },
    };
  } finally {
    encoder.dispose();
    decoder.dispose();
  }
}
