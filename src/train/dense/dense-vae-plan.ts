/**
 * Which runs train on vaekit's dense VAE step (dense-vae-gradient.ts) instead of tfjs' engine, and
 * where each Dense layer's kernel and bias sit in the run's flattened parameters (the order of
 * `StepContext.variables`, which Adam, the exchange and checkpoints use).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { StepContext } from '../objective/train-step.js';
import type { TrainConfig } from '../options/train-config.js';

/** A Dense layer in the flat parameters: kernel (fanIn × units, row-major) and bias, as float offsets. */
export interface DenseLayer {
  kernel: number;
  bias: number;
  fanIn: number;
  units: number;
}

/** log p(x|z) of the decoder's pre-activation output: Bernoulli logits, or a Gaussian mean (through a sigmoid for data in [0, 1]). */
export type DenseLikelihood = { kind: 'bernoulli' } | { kind: 'gaussian'; sigma: number; sigmoidMean: boolean };

export interface DenseVaePlan {
  features: number;
  latentDim: number;
  mcSamples: number;
  /** Hidden layers, input side first; ReLU after each. */
  encoder: DenseLayer[];
  mu: DenseLayer;
  logvar: DenseLayer;
  decoder: DenseLayer[];
  output: DenseLayer;
  likelihood: DenseLikelihood;
  parameters: number;
}

/** What the plan needs of a run besides its models. */
export type DensePlanRun = Pick<TrainConfig, 'architecture' | 'likelihood' | 'objective'> & { valueRange: [number, number]; classes: number | null };

/**
 * The plan of a run that vaekit's dense step can train — an MLP VAE (ReLU hidden layers) with a
 * Bernoulli or fixed-σ Gaussian likelihood, no condition, the ELBO objective — or null (then tfjs'
 * engine trains it, as it does every other model).
 */
export function denseVaePlan(ctx: StepContext, run: DensePlanRun): DenseVaePlan | null {
  const { architecture: arch, likelihood } = run;
  if (arch.arch !== 'mlp' || arch.activation !== 'relu' || run.classes || run.objective !== 'elbo') return null;
  if (likelihood.kind === 'gaussian-learned') return null;
  const offsets = new Map<tf.Variable, number>();
  let parameters = 0;
  for (const v of ctx.variables) {
    offsets.set(v, parameters);
    parameters += v.size;
  }
  const layer = (model: tfl.LayersModel, name: string): DenseLayer | null => {
    const found = model.layers.find((l) => l.name === name);
    const [kernel, bias] = (found?.trainableWeights ?? []).map((w) => w.read() as tf.Variable);
    if (!kernel || !bias || kernel.shape.length !== 2 || found!.trainableWeights.length !== 2) return null;
    const k = offsets.get(kernel);
    const b = offsets.get(bias);
    if (k === undefined || b === undefined) return null;
    return { kernel: k, bias: b, fanIn: kernel.shape[0]!, units: kernel.shape[1]! };
  };
  const hidden = arch.hidden.length;
  const encoder = Array.from({ length: hidden }, (_, i) => layer(ctx.encoder, `encoder_dense_${i + 1}`));
  const decoder = Array.from({ length: hidden }, (_, i) => layer(ctx.decoder, `decoder_dense_${i + 1}`));
  const mu = layer(ctx.encoder, 'mu');
  const logvar = layer(ctx.encoder, 'logvar');
  const output = layer(ctx.decoder, 'decoder_output');
  if (!mu || !logvar || !output || encoder.includes(null) || decoder.includes(null)) return null;
  // Every variable is one of these layers' (no other weights to leave untrained).
  if (ctx.variables.length !== 2 * (2 * hidden + 3)) return null;
  const features = ctx.shape.reduce((a, b) => a * b, 1);
  return {
    features, latentDim: ctx.latentDim, mcSamples: ctx.mcSamples,
    encoder: encoder as DenseLayer[], mu, logvar, decoder: decoder as DenseLayer[], output,
    likelihood: likelihood.kind === 'bernoulli'
      ? { kind: 'bernoulli' }
      : { kind: 'gaussian', sigma: likelihood.sigma, sigmoidMean: run.valueRange[0] === 0 && run.valueRange[1] === 1 },
    parameters,
  };
}
