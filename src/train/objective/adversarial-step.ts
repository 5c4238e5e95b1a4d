import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { trainableVariables } from './train-step.js';

export interface AdversarialContext {
  encoder: tfl.LayersModel;
  discriminator: tfl.LayersModel;
  discriminatorOptimizer: tf.Optimizer;
  generatorOptimizer: tf.Optimizer;
  /** The encoder's weights: the generator phase moves only these. */
  encoderVariables: tf.Variable[];
  discriminatorVariables: tf.Variable[];
  shape: number[];
  latentDim: number;
}

/**
 * Adam for the adversarial phases: β₁ = 0.5, as GANs are usually trained (DCGAN); with 0.9 the
 * discriminator's momentum overshoots and it wins outright (measured: D loss → 0.05).
 */
export function adversarialAdam(learningRate: number): tf.AdamOptimizer {
  return tf.train.adam(learningRate, 0.5, 0.999, 1e-8);
}

/** The context of `adversarialStep` for an encoder and a discriminator (their variables read once). */
export function createAdversarialContext(parts: Omit<AdversarialContext, 'encoderVariables' | 'discriminatorVariables'>): AdversarialContext {
  return { ...parts, encoderVariables: trainableVariables(parts.encoder), discriminatorVariables: trainableVariables(parts.discriminator) };
}

export interface AdversarialInput {
  /** Batch of n examples, n × prod(shape) values. */
  x: Float32Array;
  n: number;
  /** n × J standard normals: the encoder's samples z = μ + σ·ε. */
  eps: Float32Array;
  /** n × J draws from the prior N(0, I): the discriminator's "real" examples. */
  prior: Float32Array;
  /** CVAE: n × classes one-hot labels. */
  c?: Float32Array;
}

export interface AdversarialResult {
  /** Discriminator's binary cross-entropy, real + fake halves (ln 4 ≈ 1.386 when it cannot tell). */
  discriminatorLoss: number;
  /** Encoder's non-saturating loss −log D(z) (ln 2 ≈ 0.693 when D is at chance). */
  generatorLoss: number;
}

/**
 * The two regularization phases of an adversarial autoencoder (Makhzani et al. 2016), run after
 * the reconstruction phase of each batch: the discriminator learns to tell prior draws from
 * encoder samples, then the encoder learns to make its samples pass as prior draws. Each phase
 * has its own Adam, as in the paper, so the adversarial gradients are not drowned by the
 * reconstruction term's scale (hundreds of nats against ~1).
 */
export function adversarialStep(ctx: AdversarialContext, input: AdversarialInput): AdversarialResult {
  const { n } = input;
  const J = ctx.latentDim;
  const logit = (z: tf.Tensor) => ctx.discriminator.apply(z, { training: true }) as tf.Tensor;
  const [dLoss, gLoss] = tf.tidy(() => {
    const x = tf.tensor(input.x, [n, ...ctx.shape]);
    const c = input.c ? tf.tensor2d(input.c, [n, input.c.length / n]) : null;
    const eps = tf.tensor2d(input.eps, [n, J]);
    const encode = () => {
      const [mu, logvar] = ctx.encoder.apply(c ? [x, c] : x, { training: true }) as tf.Tensor[];
      return tf.add(mu!, tf.mul(tf.exp(tf.mul(0.5, logvar!)), eps));
    };
    const fake = encode(); // outside the minimize closure below: no gradient reaches the encoder
    const real = tf.tensor2d(input.prior, [n, J]);
    const dLoss = ctx.discriminatorOptimizer.minimize(
      // BCE with logits: −log σ(l) = softplus(−l) for real, −log(1 − σ(l)) = softplus(l) for fake.
      () => tf.add(tf.mean(tf.softplus(tf.neg(logit(real)))), tf.mean(tf.softplus(logit(fake)))) as tf.Scalar,
      true,
      ctx.discriminatorVariables,
    )!;
    const gLoss = ctx.generatorOptimizer.minimize(
      () => tf.mean(tf.softplus(tf.neg(logit(encode())))) as tf.Scalar,
      true,
      ctx.encoderVariables,
    )!;
    return [dLoss, gLoss];
  });
  const result = { discriminatorLoss: dLoss.dataSync()[0]!, generatorLoss: gLoss.dataSync()[0]! };
  tf.dispose([dLoss, gLoss]);
  return result;
}
