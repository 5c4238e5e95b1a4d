/**
 * How a run takes its optimizer steps: on one thread or over `workers` threads (ReplicaPool); with
 * vaekit's dense VAE step (dense/) for a model it can train, else tfjs' engine (vaekit's Adam —
 * FlatAdam — for a VAE). The trainer only steps, syncs before evaluation and checkpoints, and closes.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { VaekitError } from '../../errors.js';
import { heapKernelsOn } from '../backend/heap-kernels.js';
import { denseTrainStep } from '../dense/dense-step.js';
import { DenseVaeGradient } from '../dense/dense-vae-gradient.js';
import { denseVaePlan, type DenseVaePlan } from '../dense/dense-vae-plan.js';
import { ADAM } from '../objective/adam-settings.js';
import { trainStep, type StepInput, type StepResult } from '../objective/train-step.js';
import { FlatAdam } from './flat-adam.js';
import { ReplicaPool, type ReplicaPoolOptions } from './replica-pool.js';

/** What computes a step's gradient: vaekit's dense VAE step, or tfjs' engine through the models. */
export type StepEngine = 'dense' | 'tfjs';

export interface StepRunner {
  engine: StepEngine;
  step(input: StepInput): Promise<StepResult>;
  /** Brings the main thread's models and tfjs optimizer up to date (before evaluation and checkpoints). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** What a pool needs, and all a one-thread runner needs. */
export type StepRunnerOptions = Omit<ReplicaPoolOptions, 'dense'>;

/** The dense step's plan for this run (config.engine), or null: tfjs' engine trains it. */
function densePlan(options: StepRunnerOptions): DenseVaePlan | null {
  const { ctx, config, backend } = options;
  if (config.engine === 'tfjs') return null;
  const plan = backend === 'tensorflow' ? null : denseVaePlan(ctx, { ...config, valueRange: options.valueRange, classes: options.classes });
  // The dense step runs vaekit's wasm SIMD kernels on a memory of its own: not without wasm SIMD.
  const simd = heapKernelsOn(new WebAssembly.Memory({ initial: 1 })) !== null;
  if (config.engine === 'dense' && (plan === null || !simd)) {
    const why = backend === 'tensorflow' ? 'the tensorflow backend'
      : !simd ? 'a JavaScript engine without WebAssembly SIMD'
        : `${config.architecture.arch === 'mlp' ? 'an MLP' : 'a conv'} VAE, ${config.likelihood.kind} likelihood, ${options.classes ? 'a condition, ' : ''}objective ${config.objective}`;
    throw new VaekitError('invalid-argument', `'engine' dense trains an MLP VAE with a bernoulli or gaussian likelihood, no condition and objective elbo, off the tensorflow backend; found ${why} (use engine auto or tfjs)`);
  }
  return simd ? plan : null;
}

export async function startStepRunner(options: StepRunnerOptions): Promise<StepRunner> {
  const { ctx, config, backend } = options;
  const plan = densePlan(options);
  const engine: StepEngine = plan ? 'dense' : 'tfjs';
  if (config.workers > 1) {
    if (backend === 'tensorflow') {
      throw new VaekitError('invalid-argument', `'workers' must be 1 on the tensorflow backend (it already runs each op on every core); found ${config.workers}`);
    }
    const pool = await ReplicaPool.start({ ...options, dense: plan !== null });
    return { engine, step: (input) => pool.step(input), sync: () => pool.sync(), close: () => pool.close() };
  }
  const optimizer = ctx.optimizer as tf.AdamOptimizer;
  // An AAE's adversarial phases also move the encoder, with tfjs' optimizers: it keeps tfjs' Adam.
  if (config.objective === 'elbo' && backend !== 'tensorflow') {
    const adam = await FlatAdam.create(ctx.variables, optimizer, { learningRate: config.learningRate, ...ADAM });
    if (plan) {
      const gradient = new DenseVaeGradient(plan, config.batchSize);
      return { engine, step: async (input) => denseTrainStep(gradient, adam, ctx.freeBits, input), sync: () => adam.sync(optimizer), close: async () => undefined };
    }
    ctx.flatAdam = adam;
  }
  return {
    engine,
    step: async (input) => trainStep(ctx, input),
    sync: async () => ctx.flatAdam?.sync(optimizer),
    close: async () => undefined,
  };
}
