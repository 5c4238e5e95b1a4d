import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { resolveTrainConfig } from '../../../src/train/config.js';
import { featureCount, gatherRows, type Dataset } from '../../../src/train/data/dataset.js';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import { buildVae } from '../../../src/train/model/build.js';
import { ADAM } from '../../../src/train/objective/adam-settings.js';
import { trainStep, trainableVariables, type StepContext } from '../../../src/train/objective/train-step.js';
import { FlatAdam } from '../../../src/train/parallel/flat-adam.js';
import { NormalSampler } from '../../../src/sampler/index.js';

let dataset: Dataset;

beforeAll(async () => {
  await selectBackend('wasm');
  dataset = await loadEmbeddedMnist({ perClassLimit: 30 });
});

/** Six steps of one-thread training, with tfjs' Adam or vaekit's; the weights and the optimizer's state after. */
async function train(flat: boolean) {
  const config = resolveTrainConfig({ hidden: [40], latentDim: 5, batchSize: 30, seed: 8 });
  const models = buildVae(config.architecture, { inputShape: dataset.shape, likelihood: config.likelihood, valueRange: dataset.valueRange, seed: 8 });
  const optimizer = tf.train.adam(config.learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer, variables: trainableVariables(models.encoder, models.decoder),
    likelihood: config.likelihood, shape: dataset.shape, latentDim: 5, mcSamples: 1, freeBits: 0,
  };
  if (flat) ctx.flatAdam = await FlatAdam.create(ctx.variables, optimizer, { learningRate: config.learningRate, ...ADAM });
  const sampler = new NormalSampler({ seed: 2, stream: 0 });
  const F = featureCount(dataset);
  const losses: number[] = [];
  for (let s = 0; s < 6; s++) {
    const rows = Uint32Array.from({ length: 30 }, (_, i) => s * 30 + i);
    const x = gatherRows(dataset.train, F, rows, new Float32Array(30 * F));
    losses.push(trainStep(ctx, { x, eps: sampler.next(30 * 5), n: 30, beta: 1 }).objective);
  }
  await ctx.flatAdam?.sync(optimizer);
  const state = (await optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
  const weights = ctx.variables.map((v) => Array.from(v.dataSync()));
  optimizer.dispose();
  models.encoder.dispose();
  models.decoder.dispose();
  return { losses, weights, state };
}

describe('FlatAdam (one-thread training)', () => {
  it("trains to tfjs Adam's losses, weights and optimizer state, bit for bit", async () => {
    const reference = await train(false);
    const flat = await train(true);
    expect(flat.losses).toEqual(reference.losses);
    expect(flat.weights).toEqual(reference.weights);
    expect(flat.state).toEqual(reference.state); // iterations, then every m, then every v
    expect(reference.losses[5]).toBeLessThan(reference.losses[0]!);
  }, 60_000);
});
