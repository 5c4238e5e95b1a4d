/**
 * One training step of a default `--arch mlp|conv` VAE (Bernoulli, Adam 1e-3, batch 128) on real
 * Fashion-MNIST batches in a seeded order: what bench/fashion-throughput-child.ts times and
 * bench/conv-profile.ts profiles by kernel. The backend must be selected first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NormalSampler } from '../src/sampler/index.js';
import { resolveTrainConfig } from '../src/train/config.js';
import { featureCount, gatherRows, type Dataset } from '../src/train/data/dataset.js';
import { buildVae, describeArchitecture } from '../src/train/model/build.js';
import { trainStep, trainableVariables, type StepContext } from '../src/train/objective/train-step.js';
import { seededPermutation } from '../src/train/data/shuffle.js';

export interface FashionStep {
  /** `describeArchitecture` of the model, e.g. `conv 32,64 (stride 2) · 256 → 20`. */
  model: string;
  batchSize: number;
  /** Runs one Adam step on the next batch and returns the objective (nats per example). */
  step(): number;
  /** Frees the models and the optimizer's state. */
  dispose(): void;
}

export function fashionStep(arch: 'mlp' | 'conv', data: Dataset): FashionStep {
  const config = resolveTrainConfig({ arch });
  const features = featureCount(data);
  const B = config.batchSize;
  const J = config.architecture.latentDim;
  const models = buildVae(config.architecture, {
    inputShape: data.shape, likelihood: config.likelihood, valueRange: data.valueRange, seed: 1,
  });
  const optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8);
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer,
    variables: trainableVariables(models.encoder, models.decoder),
    likelihood: config.likelihood, shape: data.shape, latentDim: J, mcSamples: 1, freeBits: 0,
  };
  const order = seededPermutation(data.train.count, { seed: 1, stream: 1, offset: 0 });
  const sampler = new NormalSampler({ seed: 1, stream: 0 });
  const x = new Float32Array(B * features);
  let cursor = 0;
  return {
    model: describeArchitecture(config.architecture, features),
    batchSize: B,
    step() {
      if (cursor + B > order.length) cursor = 0;
      gatherRows(data.train, features, order.subarray(cursor, cursor + B), x);
      cursor += B;
      return trainStep(ctx, { x, eps: sampler.next(B * J), n: B, beta: 1 }).objective;
    },
    dispose() {
      models.encoder.dispose();
      models.decoder.dispose();
      optimizer.dispose();
    },
  };
}
