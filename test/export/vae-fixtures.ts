import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ManifestLikelihood } from '../../src/manifest/schema.js';

type Sym = tfl.SymbolicTensor;

/**
 * Gives every weight of `model` seeded random values of a realistic scale (N(0, 1/fan_in)) so
 * exports are tested on non-trivial weights, not on zeros.
 */
export function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  const weights = model.getWeights().map((w, i) => {
    const fanIn = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 16;
    return tf.randomNormal(w.shape, 0, 1 / Math.sqrt(fanIn), 'float32', seed * 100 + i);
  });
  model.setWeights(weights);
  tf.dispose(weights);
}

/** Decoder heads of the graph contract on a pre-activation tensor. */
function heads(pre: Sym, likelihood: ManifestLikelihood, extra?: Sym): Sym[] {
  if (likelihood.kind === 'bernoulli') {
    return [
      tfl.layers.activation({ activation: 'linear', name: 'logits' }).apply(pre) as Sym,
      tfl.layers.activation({ activation: 'sigmoid', name: 'mean' }).apply(pre) as Sym,
    ];
  }
  const mean = tfl.layers.activation({ activation: 'sigmoid', name: 'mean' }).apply(pre) as Sym;
  return likelihood.kind === 'gaussian' ? [mean] : [mean, extra!];
}

/** A convolutional VAE on 28×28×1 images: conv (stride 2) ×2 → dense heads; dense → deconv ×2. */
export function buildConvVae(likelihood: ManifestLikelihood, latentDim = 8) {
  const x = tfl.input({ shape: [28, 28, 1], name: 'x' });
  let h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(x) as Sym;
  h = tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(h) as Sym;
  h = tfl.layers.flatten().apply(h) as Sym;
  const mu = tfl.layers.dense({ units: latentDim, name: 'mu' }).apply(h) as Sym;
  const logvar = tfl.layers.dense({ units: latentDim, name: 'logvar' }).apply(h) as Sym;
  const encoder = tfl.model({ inputs: x, outputs: [mu, logvar] });

  const z = tfl.input({ shape: [latentDim], name: 'z' });
  let g = tfl.layers.dense({ units: 7 * 7 * 16, activation: 'relu' }).apply(z) as Sym;
  g = tfl.layers.reshape({ targetShape: [7, 7, 16] }).apply(g) as Sym;
  g = tfl.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(g) as Sym;
  const pre = tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' }).apply(g) as Sym;
  const logvarX =
    likelihood.kind === 'gaussian-learned'
      ? (tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', name: 'logvar_x' }).apply(g) as Sym)
      : undefined;
  const decoder = tfl.model({ inputs: z, outputs: heads(pre, likelihood, logvarX) });
  return { encoder, decoder };
}

/** A conditional MLP VAE: the one-hot label c joins x at the encoder and z at the decoder. */
export function buildCvae(classes = 10, latentDim = 6) {
  const x = tfl.input({ shape: [28, 28, 1], name: 'x' });
  const c = tfl.input({ shape: [classes], name: 'c' });
  const flat = tfl.layers.flatten().apply(x) as Sym;
  const joined = tfl.layers.concatenate().apply([flat, c]) as Sym;
  const h = tfl.layers.dense({ units: 64, activation: 'relu' }).apply(joined) as Sym;
  const mu = tfl.layers.dense({ units: latentDim, name: 'mu' }).apply(h) as Sym;
  const logvar = tfl.layers.dense({ units: latentDim, name: 'logvar' }).apply(h) as Sym;
  const encoder = tfl.model({ inputs: [x, c], outputs: [mu, logvar] });

  const z = tfl.input({ shape: [latentDim], name: 'z' });
  const c2 = tfl.input({ shape: [classes], name: 'c' });
  const zc = tfl.layers.concatenate().apply([z, c2]) as Sym;
  const g = tfl.layers.dense({ units: 64, activation: 'relu' }).apply(zc) as Sym;
  const flatOut = tfl.layers.dense({ units: 784 }).apply(g) as Sym;
  const pre = tfl.layers.reshape({ targetShape: [28, 28, 1] }).apply(flatOut) as Sym;
  const decoder = tfl.model({ inputs: [z, c2], outputs: heads(pre, { kind: 'bernoulli' }) });
  return { encoder, decoder };
}

/** One-hot rows for `labels`. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]!] = 1;
  return out;
}
