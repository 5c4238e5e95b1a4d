/**
 * How a run takes its optimizer steps: on one thread (tfjs' kernels, vaekit's Adam — FlatAdam — for
 * a VAE) or over `workers` threads (ReplicaPool). The trainer only steps, syncs before evaluation and
 * checkpoints, and closes.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { VaekitError } from '../../errors.js';
import { ADAM } from '../objective/adam-settings.js';
import { trainStep, type StepInput, type StepResult } from '../objective/train-step.js';
import { FlatAdam } from './flat-adam.js';
import { ReplicaPool, type ReplicaPoolOptions } from './replica-pool.js';

export interface StepRunner {
  step(input: StepInput): Promise<StepResult>;
  /** Brings the main thread's models and tfjs optimizer up to date (before evaluation and checkpoints). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** What a pool needs, and all a one-thread runner needs. */
export type StepRunnerOptions = ReplicaPoolOptions;

export async function startStepRunner(options: StepRunnerOptions): Promise<StepRunner> {
  const { ctx, config, backend } = options;
  if (config.workers > 1) {
    if (backend === 'tensorflow') {
      throw new VaekitError('invalid-argument', `'workers' must be 1 on the tensorflow backend (it already runs each op on every core); found ${config.workers}`);
    }
    const pool = await ReplicaPool.start(options);
    return { step: (input) => pool.step(input), sync: () => pool.sync(), close: () => pool.close() };
  }
  // An AAE's adversarial phases also move the encoder, with tfjs' optimizers: it keeps tfjs' Adam.
  if (config.objective === 'elbo' && backend !== 'tensorflow') {
    ctx.flatAdam = await FlatAdam.create(ctx.variables, ctx.optimizer as tf.AdamOptimizer, { learningRate: config.learningRate, ...ADAM });
  }
  const optimizer = ctx.optimizer as tf.AdamOptimizer;
  return {
    step: async (input) => trainStep(ctx, input),
    sync: async () => ctx.flatAdam?.sync(optimizer),
    close: async () => undefined,
  };
}
