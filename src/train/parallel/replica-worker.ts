/**
 * The entry of a data-parallel training worker (a worker_threads thread): builds the main thread's
 * models on the same backend, loads the shared weights, then runs replica steps until told to
 * stop. Errors go back to the main thread as a message, which ends the run there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend.js';
import { buildVae } from '../model/build.js';
import { trainableVariables, type StepContext } from '../objective/train-step.js';
import { ADAM } from '../objective/adam-settings.js';
import { DenseVaeGradient } from '../dense/dense-vae-gradient.js';
import { denseVaePlan } from '../dense/dense-vae-plan.js';
import { SharedAdam } from './shared-adam.js';
import { Replica } from './replica.js';
import { StepExchange } from './step-exchange.js';
import type { ReplicaInit, ReplicaMessage } from './replica-messages.js';

const post = (message: ReplicaMessage) => parentPort!.postMessage(message);

async function run(init: ReplicaInit): Promise<void> {
  await selectBackend(init.backend);
  const { config } = init;
  const models = buildVae(config.architecture, {
    inputShape: init.inputShape,
    likelihood: config.likelihood,
    valueRange: init.valueRange,
    seed: config.seed,
    ...(init.classes ? { classes: init.classes } : {}),
  });
  const variables = trainableVariables(models.encoder, models.decoder);
  const parameters = variables.reduce((sum, v) => sum + v.size, 0);
  if (parameters !== init.sizes.parameters) {
    throw new Error(`the worker's model has ${parameters} parameters; the main thread's has ${init.sizes.parameters}`);
  }
  // Adam runs on the shared buffers (SharedAdam); the StepContext's optimizer is never stepped here.
  const optimizer = tf.train.adam(config.learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer, variables, likelihood: config.likelihood,
    shape: init.inputShape, latentDim: config.architecture.latentDim, mcSamples: config.mcSamples, freeBits: config.freeBits,
  };
  const exchange = new StepExchange(init.sizes, init.buffers);
  const adam = new SharedAdam({ learningRate: config.learningRate, ...ADAM }, init.accBeta1, init.accBeta2, exchange.buffers.memory);
  const plan = init.dense ? denseVaePlan(ctx, { ...config, valueRange: init.valueRange, classes: init.classes }) : null;
  if (init.dense && !plan) throw new Error('the main thread trains this model on the dense step, but the worker cannot');
  const dense = plan && new DenseVaeGradient(plan, Math.ceil(config.batchSize / config.workers));
  const replica = new Replica(ctx, exchange, init.rank, adam, dense);
  replica.loadWeights();
  post({ type: 'ready' });
  for (let step = 1; exchange.waitForStep(step); step++) replica.step(step);
  optimizer.dispose();
  models.encoder.dispose();
  models.decoder.dispose();
}

run(workerData as ReplicaInit).catch((error: unknown) => {
  const e = error as { message?: string; code?: string; stack?: string };
  post({ type: 'error', message: e?.message ?? String(error), ...(e?.code ? { code: e.code } : {}), ...(e?.stack ? { stack: e.stack } : {}) });
});
