/**
 * Synchronous data-parallel training over worker_threads. `workers` threads each hold a copy of the
 * models; every step splits the batch into `workers` contiguous shards, the gradients are summed
 * in rank order through shared memory (step-exchange.ts) and Adam runs on the shared weights, each
 * thread on its share (shared-adam.ts, bit for bit tfjs' Adam). A run is therefore deterministic
 * for a given worker count and differs from a one-thread run only by float32 summation order.
 *
 * The main thread only coordinates: it writes each batch and waits. Its models (the run's: what
 * evaluation, checkpoints and export read) are brought up to date by `sync`. Every replica is a
 * worker so that each gets a young generation of its own size: with V8's default (16 MB semi-spaces)
 * two busy isolates of one process stall in each other's parallel scavenges — two threads trained
 * slower than one (measured: 1 467 + 1 454 samples/s against 3 358 alone; 3 397 + 3 499 with 48 MB).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { VaekitError } from '../../errors.js';
import type { TrainBackend } from '../backend/train-backends.js';
import { ADAM } from '../objective/adam-settings.js';
import type { StepContext, StepInput, StepResult } from '../objective/train-step.js';
import type { TrainConfig } from '../options/train-config.js';
import { stepFigures } from '../dense/dense-step.js';
import { captureOptimizer, loadFlatState, restoreFlatMoments } from './optimizer-state.js';
import { writeVariable } from './tensor-memory.js';
import type { ReplicaTimings } from './step-exchange.js';
import type { ReplicaInit, ReplicaMessage } from './replica-messages.js';
import { REPLICA_WORKER_URL } from './replica-worker-url.js';
import { SharedAdam } from './shared-adam.js';
import { StepExchange } from './step-exchange.js';

export interface ReplicaPoolOptions {
  /** The main thread's step context: the replicas start from its weights and Adam state. */
  ctx: StepContext;
  config: TrainConfig;
  backend: TrainBackend;
  inputShape: number[];
  valueRange: [number, number];
  classes: number | null;
  /** Train on the dense VAE step (dense/): the caller found the model fits it. */
  dense?: boolean;
}

/** Each replica's young generation (MB): see the module comment. */
const YOUNG_GENERATION_MB = 48;

/** A worker thread running replica-worker.ts; from source, through tsx (a dev dependency). */
function startWorker(init: ReplicaInit): Worker {
  const url = REPLICA_WORKER_URL;
  const options = { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  // tsx's ESM register API (require.resolve would give its CommonJS build, which cannot register ESM hooks).
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

export class ReplicaPool {
  private steps = 0;
  private closing = false;

  private constructor(
    private readonly exchange: StepExchange,
    private readonly workers: Worker[],
    private readonly ctx: StepContext,
    /** Tracks β₁ᵗ, β₂ᵗ as the replicas' copies do, for `sync`. */
    private readonly adam: SharedAdam,
    /** Adam's step count when the pool started. */
    private readonly startIterations: number,
    private readonly failure: Promise<never>,
  ) {}

  /** Starts `config.workers` worker threads from the main thread's current weights and Adam state. */
  static async start(options: ReplicaPoolOptions): Promise<ReplicaPool> {
    const { ctx, config } = options;
    const exchange = new StepExchange({
      workers: config.workers,
      parameters: ctx.variables.reduce((sum, v) => sum + v.size, 0),
      batchSize: config.batchSize,
      features: options.inputShape.reduce((a, b) => a * b, 1),
      latentDim: config.architecture.latentDim,
      mcSamples: config.mcSamples,
      classes: options.classes ?? 0,
    });
    const snapshot = await captureOptimizer(ctx.optimizer as tf.AdamOptimizer);
    loadFlatState(exchange, ctx.variables, snapshot);
    let fail: (error: Error) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (fail = reject));
    failure.catch(() => undefined); // observed by whoever awaits a step; never unhandled
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    const pool = new ReplicaPool(
      exchange, workers, ctx, new SharedAdam({ learningRate: config.learningRate, ...ADAM }, snapshot.accBeta1, snapshot.accBeta2),
      snapshot.weights[0]!.data[0]!, failure,
    );
    for (let rank = 0; rank < config.workers; rank++) {
      const worker = startWorker({
        rank, backend: options.backend, config, inputShape: options.inputShape, valueRange: options.valueRange,
        classes: options.classes, dense: options.dense ?? false, accBeta1: snapshot.accBeta1, accBeta2: snapshot.accBeta2, sizes: exchange.sizes, buffers: exchange.buffers,
      });
      workers.push(worker);
      ready.push(new Promise<void>((resolve) => {
        worker.on('message', (message: ReplicaMessage) => {
          if (message.type === 'ready') resolve();
          else fail(workerError(rank, message.message, message.code));
        });
      }));
      worker.on('error', (error) => fail(workerError(rank, error.message)));
      worker.on('exit', (code) => {
        if (!pool.closing) fail(workerError(rank, `the thread exited with code ${code}`));
      });
    }
    try {
      await Promise.race([Promise.all(ready), failure]);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** One Adam step on the batch, split over the replicas; the same figures as `trainStep` gives. */
  async step(input: StepInput): Promise<StepResult> {
    const step = ++this.steps;
    const { exchange } = this;
    exchange.x.set(input.x);
    exchange.eps.set(input.eps);
    if (input.c) exchange.c.set(input.c);
    exchange.startStep(step, input.n, input.beta);
    await exchange.waitAllDoneAsync(2, step, this.failure);
    this.adam.advance();
    const [reconSum, klSum] = exchange.lossSums(step);
    const klDimensions = this.ctx.freeBits > 0 ? exchange.klDimensionTotals() : null;
    return stepFigures(reconSum, klSum, klDimensions, input.n, input.beta, this.ctx.freeBits);
  }

  /**
   * Brings the main thread's models and tfjs optimizer up to the replicas' state, for evaluation
   * and checkpoints.
   */
  async sync(): Promise<void> {
    const { exchange, ctx } = this;
    let offset = 0;
    for (const v of ctx.variables) {
      writeVariable(v, exchange.weights.subarray(offset, offset + v.size));
      offset += v.size;
    }
    await restoreFlatMoments(ctx.optimizer as tf.AdamOptimizer, ctx.variables, exchange, {
      iterations: this.startIterations + this.steps, accBeta1: this.adam.accBeta1, accBeta2: this.adam.accBeta2,
    });
  }

  /** Where replica `rank`'s step time went, summed over the steps so far. */
  timings(rank = 0): ReplicaTimings {
    return this.exchange.timings(rank);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.exchange.stop();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

function workerError(rank: number, message: string, code?: string): VaekitError {
  const known = code && code !== 'worker-failed' ? ` [${code}]` : '';
  return new VaekitError('worker-failed', `training worker ${rank} failed${known}: ${message}`);
}
