import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { resolveTrainConfig, type TrainConfigInput } from '../../../src/train/config.js';
import { featureCount, gatherRows, type Dataset } from '../../../src/train/data/dataset.js';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import { DenseVaeGradient } from '../../../src/train/dense/dense-vae-gradient.js';
import { denseVaePlan } from '../../../src/train/dense/dense-vae-plan.js';
import { freeBitsMask } from '../../../src/train/dense/dense-step.js';
import { buildVae } from '../../../src/train/model/build.js';
import { klPerDimension } from '../../../src/train/objective/likelihood.js';
import { forwardPass, trainableVariables, type StepContext } from '../../../src/train/objective/train-step.js';
import { NormalSampler } from '../../../src/sampler/index.js';

let dataset: Dataset;

beforeAll(async () => {
  await selectBackend('wasm');
  dataset = await loadEmbeddedMnist({ perClassLimit: 10 });
});

afterAll(() => tf.disposeVariables());

function context(input: TrainConfigInput) {
  const config = resolveTrainConfig({ latentDim: 4, seed: 5, ...input });
  const classes = config.condition ? 10 : null;
  const models = buildVae(config.architecture, {
    inputShape: dataset.shape, likelihood: config.likelihood, valueRange: dataset.valueRange, seed: config.seed, ...(classes ? { classes } : {}),
  });
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer: tf.train.adam(1e-3), variables: trainableVariables(models.encoder, models.decoder),
    likelihood: config.likelihood, shape: dataset.shape, latentDim: config.architecture.latentDim, mcSamples: config.mcSamples, freeBits: config.freeBits,
  };
  return { config, ctx, classes };
}

/**
 * tfjs' gradient of a shard's part of the objective — its terms summed and divided by the batch's
 * `rows` (the replicas' formula, replica.ts) — and the shard's recon and KL sums.
 */
function tfjsGradient(ctx: StepContext, x: Float32Array, eps: Float32Array, n: number, rows: number, beta: number, mask: Float32Array | null) {
  const L = ctx.mcSamples;
  let recon = 0;
  let kl = 0;
  const grads = tf.tidy(() => {
    const xt = tf.tensor(x, [n, ...ctx.shape]);
    const et = tf.tensor3d(eps, [L, n, ctx.latentDim]);
    const { grads: named } = tf.variableGrads(() => {
      const pass = forwardPass(ctx, xt, et, null, n);
      const reconSum = tf.div(tf.neg(tf.sum(pass.logpx)), L) as tf.Scalar;
      const klDims = tf.sum(klPerDimension(pass.mu, pass.logvar), 0);
      recon = reconSum.dataSync()[0]!;
      kl = tf.sum(klDims).dataSync()[0]!;
      const klTerm = mask ? tf.sum(tf.mul(klDims, tf.tensor1d(mask))) : tf.sum(klDims);
      return tf.div(tf.add(reconSum, tf.mul(beta, klTerm)), rows) as tf.Scalar;
    }, ctx.variables);
    return ctx.variables.map((v) => named[v.name]!);
  });
  const values = grads.map((g) => g.dataSync());
  tf.dispose(grads);
  return { values, recon, kl };
}

/** The model's weights, flat in the order of its variables (as Adam and the dense step hold them). */
function flatWeights(ctx: StepContext): Float32Array {
  const weights = new Float32Array(ctx.variables.reduce((sum, v) => sum + v.size, 0));
  let offset = 0;
  for (const v of ctx.variables) {
    weights.set(v.dataSync(), offset);
    offset += v.size;
  }
  return weights;
}

/** The batch's KL sums per dimension, by tfjs (for the free-bits mask). */
function tfjsKlSums(ctx: StepContext, x: Float32Array, n: number): Float64Array {
  const sums = tf.tidy(() => {
    const [mu, logvar] = ctx.encoder.apply(tf.tensor(x, [n, ...ctx.shape]), { training: true }) as tf.Tensor[];
    return tf.sum(klPerDimension(mu!, logvar!), 0);
  });
  const values = Float64Array.from(sums.dataSync());
  sums.dispose();
  return values;
}

describe('DenseVaeGradient: the negative ELBO gradient of an MLP VAE outside tfjs', () => {
  it.each([
    ['the default Bernoulli 784-400-20 shape (latent 4)', { hidden: [400] }],
    ['two hidden layers, 2 Monte Carlo samples and free bits', { hidden: [32, 16], mcSamples: 2, freeBits: 0.4 }],
    ['a Gaussian likelihood (sigmoid mean, data in [0, 1])', { hidden: [24], likelihood: 'gaussian' as const, sigma: 0.3 }],
    ['3 Monte Carlo samples, three hidden layers', { hidden: [20, 12, 8], mcSamples: 3 }],
  ])('equals tfjs\' gradient and sums to float32 rounding for %s', (_name, input) => {
    const { config, ctx, classes } = context(input);
    const plan = denseVaePlan(ctx, { ...config, valueRange: dataset.valueRange, classes })!;
    expect(plan).not.toBeNull();
    const n = 13;
    const rows = 29; // a shard of a larger batch: terms divided by the batch's rows
    const F = featureCount(dataset);
    const x = gatherRows(dataset.train, F, Uint32Array.from({ length: n }, (_, i) => 3 * i), new Float32Array(n * F));
    const eps = new NormalSampler({ seed: 7, stream: 0 }).next(config.mcSamples * n * 4);
    // λ at the median dimension's mean KL: some dimensions floored, some not, so both branches run.
    const klSums = tfjsKlSums(ctx, x, n);
    const median = Float64Array.from(klSums).sort()[2]! / n;
    const mask = config.freeBits > 0 ? freeBitsMask(klSums, n, median) : null;
    if (mask) expect(new Set(mask).size).toBe(2);
    const reference = tfjsGradient(ctx, x, eps, n, rows, 0.8, mask);

    const weights = flatWeights(ctx);
    const gradient = new Float32Array(plan.parameters).fill(Number.NaN);
    const sums = new DenseVaeGradient(plan, 16).gradient(weights, {
      x, eps, epsRows: n, epsStart: 0, n, rows, beta: 0.8, ...(mask ? { klMask: () => mask } : {}),
    }, gradient);

    expect(sums.recon).toBeCloseTo(reference.recon, 1);
    expect(Math.abs(sums.recon - reference.recon) / reference.recon).toBeLessThan(1e-6);
    expect(Math.abs(sums.kl - reference.kl) / reference.kl).toBeLessThan(1e-5);
    let offset = 0;
    ctx.variables.forEach((v, i) => {
      const ref = reference.values[i]!;
      const got = gradient.subarray(offset, offset + v.size);
      let scale = 0;
      let worst = 0;
      for (let k = 0; k < v.size; k++) {
        scale = Math.max(scale, Math.abs(ref[k]!));
        worst = Math.max(worst, Math.abs(got[k]! - ref[k]!));
      }
      expect(scale, v.name).toBeGreaterThan(0);
      expect(worst / scale, v.name).toBeLessThan(3e-6);
      offset += v.size;
    });
  }, 60_000);

  it('reads a shard\'s rows of every ε block, as a replica hands them over', () => {
    const { config, ctx, classes } = context({ hidden: [16], mcSamples: 2 });
    const plan = denseVaePlan(ctx, { ...config, valueRange: dataset.valueRange, classes })!;
    const F = featureCount(dataset);
    const rows = 10;
    const x = gatherRows(dataset.train, F, Uint32Array.from({ length: rows }, (_, i) => i), new Float32Array(rows * F));
    const eps = new NormalSampler({ seed: 3, stream: 0 }).next(2 * rows * 4); // [L, rows, J]
    const weights = flatWeights(ctx);
    const engine = new DenseVaeGradient(plan, rows);
    const whole = new Float32Array(plan.parameters);
    const first = new Float32Array(plan.parameters);
    const second = new Float32Array(plan.parameters);
    const all = engine.gradient(weights, { x, eps, epsRows: rows, epsStart: 0, n: rows, rows, beta: 1 }, whole);
    const a = engine.gradient(weights, { x: x.subarray(0, 4 * F), eps, epsRows: rows, epsStart: 0, n: 4, rows, beta: 1 }, first);
    const b = engine.gradient(weights, { x: x.subarray(4 * F), eps, epsRows: rows, epsStart: 4, n: 6, rows, beta: 1 }, second);
    expect(a.recon + b.recon).toBeCloseTo(all.recon, 2);
    expect(a.kl + b.kl).toBeCloseTo(all.kl, 5);
    let worst = 0;
    let scale = 0;
    whole.forEach((g, k) => {
      worst = Math.max(worst, Math.abs(first[k]! + second[k]! - g));
      scale = Math.max(scale, Math.abs(g));
    });
    expect(worst / scale).toBeLessThan(1e-5);
  });

  it.each([
    ['a conv VAE', { arch: 'conv' as const, channels: [4, 8], hidden: [16] }],
    ['a conditional VAE', { hidden: [16], condition: 'label' as const }],
    ['a learned-variance Gaussian', { hidden: [16], likelihood: 'gaussian-learned' as const }],
    ['an adversarial autoencoder', { hidden: [16], objective: 'aae' as const }],
  ])('leaves %s to tfjs\' engine (no plan)', (_name, input) => {
    const { config, ctx, classes } = context(input);
    expect(denseVaePlan(ctx, { ...config, valueRange: dataset.valueRange, classes })).toBeNull();
  });
});
