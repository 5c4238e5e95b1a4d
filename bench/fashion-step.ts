/**
 * One training step of a default `--arch mlp|conv` VAE (Bernoulli, Adam 1e-3, batch 128) on real
 * Fashion-MNIST batches in a seeded order: what bench/fashion-throughput-child.ts times and
 * bench/conv-profile.ts profiles by kernel. The backend must be selected first. With `workers` > 1
 * the step runs on a ReplicaPool (data parallelism over worker threads), as `train({ workers })` does.
 * `engine` as train's: `auto` runs the MLP on vaekit's dense VAE step, `tfjs` on tfjs' engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NormalSampler } from '../src/sampler/index.js';
import { resolveTrainConfig } from '../src/train/config.js';
import { featureCount, gatherRows, type Dataset } from '../src/train/data/dataset.js';
import { buildVae, describeArchitecture } from '../src/train/model/build.js';
import { trainStep, trainableVariables, type StepContext } from '../src/train/objective/train-step.js';
import { seededPermutation } from '../src/train/data/shuffle.js';
import { ReplicaPool } from '../src/train/parallel/replica-pool.js';
import { FlatAdam } from '../src/train/parallel/flat-adam.js';
import { ADAM } from '../src/train/objective/adam-settings.js';
import { denseTrainStep } from '../src/train/dense/dense-step.js';
import { DenseVaeGradient } from '../src/train/dense/dense-vae-gradient.js';
import { denseVaePlan } from '../src/train/dense/dense-vae-plan.js';
import type { Engine } from '../src/train/options/train-config.js';
import type { ReplicaTimings } from '../src/train/parallel/step-exchange.js';
import type { TrainBackend } from '../src/train/backend/select-backend.js';

export interface FashionStep {
  /** `describeArchitecture` of the model, e.g. `conv 32,64 (stride 2) · 256 → 20`. */
  model: string;
  batchSize: number;
  /** Runs one Adam step on the next batch and returns the objective (nats per example). */
  step(): number;
  /** Frees the models and the optimizer's state. */
  dispose(): void;
}

export interface ParallelFashionStep extends Omit<FashionStep, 'step' | 'dispose'> {
  workers: number;
  step(): Promise<number>;
  /** Where replica `rank`'s (default 0) step time went, summed over steps. */
  timings(rank?: number): ReplicaTimings;
  dispose(): Promise<void>;
}

/** The same step on `workers` worker threads (this thread coordinates). */
export async function parallelFashionStep(arch: 'mlp' | 'conv', data: Dataset, workers: number, backend: TrainBackend, batchSize = 128, engine: Engine = 'auto'): Promise<ParallelFashionStep> {
  const { ctx, config, next, model, dispose, plan } = fashionModel(arch, data, workers, batchSize, engine);
  const pool = await ReplicaPool.start({ ctx, config, backend, inputShape: data.shape, valueRange: data.valueRange, classes: null, dense: plan !== null });
  return {
    model,
    batchSize: config.batchSize,
    workers,
    step: async () => (await pool.step(next())).objective,
    timings: (rank = 0) => pool.timings(rank),
    dispose: async () => {
      await pool.close();
      dispose();
    },
  };
}

/**
 * One thread, as `train()` runs it: vaekit's Adam (FlatAdam), on the dense step where `engine`
 * gives it, or tfjs' engine with tfjs' Adam with `adam: 'tfjs'`.
 */
export async function fashionStep(arch: 'mlp' | 'conv', data: Dataset, adam: 'vaekit' | 'tfjs' = 'vaekit', batchSize = 128, engine: Engine = 'auto'): Promise<FashionStep> {
  const { ctx, config, next, model, dispose, plan } = fashionModel(arch, data, 1, batchSize, adam === 'tfjs' ? 'tfjs' : engine);
  if (adam === 'tfjs') return { model, batchSize: config.batchSize, step: () => trainStep(ctx, next()).objective, dispose };
  const flat = await FlatAdam.create(ctx.variables, ctx.optimizer as tf.AdamOptimizer, { learningRate: config.learningRate, ...ADAM });
  if (plan) {
    const gradient = new DenseVaeGradient(plan, config.batchSize);
    return { model, batchSize: config.batchSize, step: () => denseTrainStep(gradient, flat, 0, next()).objective, dispose };
  }
  ctx.flatAdam = flat;
  return { model, batchSize: config.batchSize, step: () => trainStep(ctx, next()).objective, dispose };
}

function fashionModel(arch: 'mlp' | 'conv', data: Dataset, workers: number, batchSize: number, engine: Engine) {
  const config = resolveTrainConfig({ arch, workers, batchSize, engine });
  // StepContext.flatAdam is set by fashionStep when it runs vaekit's Adam.
  const features = featureCount(data);
  const B = config.batchSize;
  const J = config.architecture.latentDim;
  const models = buildVae(config.architecture, {
    inputShape: data.shape, likelihood: config.likelihood, valueRange: data.valueRange, seed: 1,
  });
  const optimizer = tf.train.adam(config.learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer,
    variables: trainableVariables(models.encoder, models.decoder),
    likelihood: config.likelihood, shape: data.shape, latentDim: J, mcSamples: 1, freeBits: 0,
  };
  const plan = engine === 'tfjs' ? null : denseVaePlan(ctx, { ...config, valueRange: data.valueRange, classes: null });
  const order = seededPermutation(data.train.count, { seed: 1, stream: 1, offset: 0 });
  const sampler = new NormalSampler({ seed: 1, stream: 0 });
  const x = new Float32Array(B * features);
  let cursor = 0;
  return {
    config,
    ctx,
    plan,
    model: describeArchitecture(config.architecture, features),
    /** The next batch in the seeded order. */
    next() {
      if (cursor + B > order.length) cursor = 0;
      gatherRows(data.train, features, order.subarray(cursor, cursor + B), x);
      cursor += B;
      return { x, eps: sampler.next(B * J), n: B, beta: 1 };
    },
    dispose() {
      models.encoder.dispose();
      models.decoder.dispose();
      optimizer.dispose();
    },
  };
}
