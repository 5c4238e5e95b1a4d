import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { learnedLogvar, likelihoodOutput } from './evaluate.js';
import { klPerDimension, logLikelihood, type Likelihood } from './likelihood.js';
import type { FlatAdam } from '../parallel/flat-adam.js';

/** The weights an optimizer moves, of one or more models, as the variables `minimize` takes. */
export function trainableVariables(...models: tfl.LayersModel[]): tf.Variable[] {
  return models.flatMap((model) => model.trainableWeights.map((w) => w.read() as tf.Variable));
}

export interface StepInput {
  /** Batch of n examples, n × prod(shape) values. */
  x: Float32Array;
  /** L × n × J standard normals from the shared sampler. */
  eps: Float32Array;
  n: number;
  /** β in force for this step (after warm-up). */
  beta: number;
  /** CVAE: n × classes one-hot labels. */
  c?: Float32Array;
}

export interface StepResult {
  /** What the optimizer minimized: recon + β·KL (with free bits). */
  objective: number;
  /** −E_q log p(x|z), nats per example. */
  recon: number;
  /** KL(q‖p) without the free-bits floor, nats per example. */
  kl: number;
}

export interface StepContext {
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  likelihood: Likelihood;
  shape: number[];
  latentDim: number;
  mcSamples: number;
  freeBits: number;
  /** Adam on the flattened weights (bit for bit `optimizer`'s steps, faster); `optimizer` then holds its state only after `sync`. */
  flatAdam?: FlatAdam;
}

/** The tensors of one pass: the encoder's q(z|x) and log p(x|z) of every example under each of the L samples. */
export interface ForwardPass {
  mu: tf.Tensor;
  logvar: tf.Tensor;
  /** [L, n] log-likelihoods. */
  logpx: tf.Tensor;
}

/**
 * The model's pass over n examples (inside a tape or a tidy): z = μ + exp(½·logvar)·ε with ε
 * [L, n, J] from the shared sampler, decoded sample-major (each example's label repeats L times).
 */
export function forwardPass(ctx: StepContext, x: tf.Tensor, eps: tf.Tensor, c: tf.Tensor | null, n: number): ForwardPass {
  const { latentDim: J, mcSamples: L } = ctx;
  const features = ctx.shape.reduce((a, b) => a * b, 1);
  const cRepeated = c && L > 1 ? tf.tile(c, [L, 1]) : c;
  const [mu, logvar] = ctx.encoder.apply(c ? [x, c] : x, { training: true }) as tf.Tensor[];
  const z = tf.add(mu!, tf.mul(tf.exp(tf.mul(0.5, logvar!)), eps)); // [L, n, J]
  const zFlat = tf.reshape(z, [L * n, J]);
  const outputs = ctx.decoder.apply(cRepeated ? [zFlat, cRepeated] : zFlat, { training: true }) as tf.Tensor[];
  const lv = learnedLogvar(ctx.likelihood, outputs);
  const logpx = logLikelihood(
    ctx.likelihood,
    tf.reshape(x, [n, features]),
    tf.reshape(likelihoodOutput(outputs), [L, n, features]),
    lv && tf.reshape(lv, [L, n, features]),
  );
  return { mu: mu!, logvar: logvar!, logpx };
}

/**
 * One Adam step on the negative ELBO of a batch (docs/math.md): z = μ + exp(½·logvar)·ε with ε fed in
 * from the shared sampler, L Monte Carlo samples, β-weighted KL with optional free bits.
 */
export function trainStep(ctx: StepContext, input: StepInput): StepResult {
  const { n } = input;
  const { latentDim: J, mcSamples: L } = ctx;
  let recon: tf.Scalar | undefined;
  let kl: tf.Scalar | undefined;
  const objective = tf.tidy(() => {
    const x = tf.tensor(input.x, [n, ...ctx.shape]);
    const eps = tf.tensor3d(input.eps, [L, n, J]);
    const c = input.c ? tf.tensor2d(input.c, [n, input.c.length / n]) : null;
    const loss = () => {
      const { mu, logvar, logpx } = forwardPass(ctx, x, eps, c, n);
      const reconMean = tf.neg(tf.mean(logpx)) as tf.Scalar;
      const klPerDim = tf.mean(klPerDimension(mu, logvar), 0); // [J], batch mean
      const klMean = tf.sum(klPerDim) as tf.Scalar;
      const klTerm = ctx.freeBits > 0 ? tf.sum(tf.maximum(klPerDim, ctx.freeBits)) : klMean;
      recon = tf.keep(reconMean);
      kl = tf.keep(klMean);
      return tf.add(reconMean, tf.mul(input.beta, klTerm)) as tf.Scalar;
    };
    if (!ctx.flatAdam) return ctx.optimizer.minimize(loss, true, ctx.variables)!;
    // What minimize does (variableGrads, then the optimizer), with vaekit's Adam.
    const { value, grads } = tf.variableGrads(loss, ctx.variables);
    ctx.flatAdam.apply(ctx.variables.map((v) => grads[v.name]!));
    return value;
  });
  const result = {
    objective: objective.dataSync()[0]!,
    recon: recon!.dataSync()[0]!,
    kl: kl!.dataSync()[0]!,
  };
  tf.dispose([objective, recon!, kl!]);
  return result;
}
