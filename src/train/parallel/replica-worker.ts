/**
 * The entry of a data-parallel training worker (a worker_threads thread): builds the main thread's
 * models on the same backend, takes its weights and Adam state, then runs replica steps until told
 * to stop. Errors go back to the main thread as a message, which ends the run there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/select-backend.js';
import { buildVae } from '../model/build.js';
import { trainableVariables, type StepContext } from '../objective/train-step.js';
import { restoreOptimizerSnapshot } from './optimizer-state.js';
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
  if (variables.length !== init.weights.length) {
    throw new Error(`the worker's model has ${variables.length} trainable variables; the main thread's has ${init.weights.length}`);
  }
  variables.forEach((v, i) => v.assign(tf.tensor(init.weights[i]!, v.shape)));
  const optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8);
  await restoreOptimizerSnapshot(optimizer, init.optimizer);
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer, variables, likelihood: config.likelihood,
    shape: init.inputShape, latentDim: config.architecture.latentDim, mcSamples: config.mcSamples, freeBits: config.freeBits,
  };
  const exchange = new StepExchange(init.sizes, init.buffers);
  const replica = new Replica(ctx, exchange, init.rank, (phase, step) => exchange.waitAllDone(phase, step));
  post({ type: 'ready' });
  for (let step = 1; exchange.waitForStep(step); step++) await replica.step(step);
  optimizer.dispose();
  models.encoder.dispose();
  models.decoder.dispose();
}

run(workerData as ReplicaInit).catch((error: unknown) => {
  const e = error as { message?: string; code?: string; stack?: string };
  post({ type: 'error', message: e?.message ?? String(error), ...(e?.code ? { code: e.code } : {}), ...(e?.stack ? { stack: e.stack } : {}) });
});
