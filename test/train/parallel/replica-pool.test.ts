import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig, type TrainConfigInput } from '../../../src/train/config.js';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import { featureCount, gatherRows, oneHotLabels, type Dataset } from '../../../src/train/data/dataset.js';
import { buildVae } from '../../../src/train/model/build.js';
import { trainableVariables, type StepContext, type StepResult } from '../../../src/train/objective/train-step.js';
import { ReplicaPool } from '../../../src/train/parallel/replica-pool.js';
import { startStepRunner } from '../../../src/train/parallel/step-runner.js';
import { NormalSampler } from '../../../src/sampler/index.js';

let dataset: Dataset;

beforeAll(async () => {
  await selectBackend('wasm');
  dataset = await loadEmbeddedMnist({ perClassLimit: 40 });
});

afterAll(() => tf.disposeVariables());

function context(input: TrainConfigInput) {
  const config = resolveTrainConfig({ hidden: [32], latentDim: 3, batchSize: 24, seed: 4, ...input });
  const classes = config.condition ? 10 : undefined;
  const models = buildVae(config.architecture, {
    inputShape: dataset.shape, likelihood: config.likelihood, valueRange: dataset.valueRange, seed: config.seed, ...(classes ? { classes } : {}),
  });
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer: tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8),
    variables: trainableVariables(models.encoder, models.decoder), likelihood: config.likelihood, shape: dataset.shape,
    latentDim: config.architecture.latentDim, mcSamples: config.mcSamples, freeBits: config.freeBits,
  };
  return { config, ctx, classes: classes ?? null };
}

/** `steps` Adam steps on fixed batches (the last one short: `lastRows` rows), as a run takes them: one thread or a pool. */
async function run(input: TrainConfigInput, steps: number, lastRows: number) {
  const { config, ctx, classes } = context(input);
  const runner = await startStepRunner({ ctx, config, backend: 'wasm', inputShape: dataset.shape, valueRange: dataset.valueRange, classes });
  const sampler = new NormalSampler({ seed: 9, stream: 0 });
  const F = featureCount(dataset);
  const results: StepResult[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const n = s === steps - 1 ? lastRows : config.batchSize;
      const rows = Uint32Array.from({ length: n }, (_, i) => (s * config.batchSize + i) % dataset.train.count);
      const x = gatherRows(dataset.train, F, rows, new Float32Array(n * F));
      const eps = sampler.next(config.mcSamples * n * config.architecture.latentDim);
      const beta = 0.7;
      const step = classes ? { x, eps, n, beta, c: oneHotLabels(dataset.train, classes, rows) } : { x, eps, n, beta };
      results.push(await runner.step(step));
    }
    await runner.sync(); // the weights into this thread's models
  } finally {
    await runner.close();
  }
  const weights = ctx.variables.map((v) => Array.from(v.dataSync()));
  ctx.optimizer.dispose();
  ctx.encoder.dispose();
  ctx.decoder.dispose();
  return { results, weights, engine: runner.engine };
}

/** Root-mean-square difference of two sets of weights. */
const rms = (a: number[][], b: number[][]) => {
  let sum = 0;
  let count = 0;
  a.forEach((values, i) => values.forEach((v, k) => ((sum += (v - b[i]![k]!) ** 2), count++)));
  return Math.sqrt(sum / count);
};

describe('ReplicaPool: data-parallel training over worker threads', () => {
  it.each([
    ['a Bernoulli MLP (the dense step)', {}],
    ['a Bernoulli MLP on tfjs\' engine', { engine: 'tfjs' as const }],
    ['free bits, 2 Monte Carlo samples (the dense step)', { freeBits: 0.6, mcSamples: 2 }],
    ['free bits on tfjs\' engine', { freeBits: 0.6, engine: 'tfjs' as const }],
    ['a conditional VAE with a gaussian likelihood', { condition: 'label' as const, likelihood: 'gaussian' as const }],
    ['a conv VAE (vaekit\'s conv kernels in each worker)', { arch: 'conv' as const, channels: [4, 8], hidden: [16] }],
  ])('with 2 workers trains %s to the weights and figures of one thread, up to float32 summation order', async (_name, input) => {
    const one = await run({ ...input, workers: 1 }, 6, 5);
    const two = await run({ ...input, workers: 2 }, 6, 5);
    expect(two.engine).toBe(one.engine);
    two.results.forEach((r, s) => {
      expect(r.recon).toBeCloseTo(one.results[s]!.recon, 3);
      expect(r.kl).toBeCloseTo(one.results[s]!.kl, 4);
      expect(r.objective).toBeCloseTo(one.results[s]!.objective, 3);
    });
    // Adam turns a gradient that summation order tips across zero into a full step the other way, so
    // single weights can differ by 2·lr; over all weights the runs agree to a fraction of how far they moved.
    const { ctx } = context({ ...input, workers: 1 });
    const initial = ctx.variables.map((v) => Array.from(v.dataSync()));
    const moved = rms(one.weights, initial);
    expect(moved).toBeGreaterThan(1e-3);
    expect(rms(two.weights, one.weights)).toBeLessThan(1e-3 * moved);
  }, 60_000);

  it.each([
    ['the dense step', {}],
    ['the dense step with free bits', { freeBits: 0.3 }],
    ['tfjs\' engine with free bits', { freeBits: 0.3, engine: 'tfjs' as const }],
  ])('is deterministic for a given worker count, also with more workers than rows in a batch (%s)', async (_name, input) => {
    const a = await run({ ...input, workers: 3 }, 3, 2);
    const b = await run({ ...input, workers: 3 }, 3, 2);
    expect(b.weights).toEqual(a.weights);
    expect(b.results).toEqual(a.results);
  }, 60_000);

  it('fails with worker-failed, naming the worker and the reason, when a worker cannot start', async () => {
    const { config, ctx } = context({ workers: 2 });
    const start = ReplicaPool.start({ ctx, config, backend: 'tensorflow', inputShape: dataset.shape, valueRange: dataset.valueRange, classes: null });
    await expect(start).rejects.toMatchObject({ code: 'worker-failed', message: expect.stringMatching(/training worker \d failed.*tensorflow/) });
  }, 30_000);
});
