/**
 * Synchronous data-parallel training over worker_threads: the main thread is replica 0 (its models
 * and optimizer are the run's: checkpoints, evaluation and export see them), and `workers − 1`
 * threads each hold a copy. Every step splits the batch into `workers` contiguous shards; the
 * gradients are summed in rank order through shared memory (step-exchange.ts), so a run is
 * deterministic for a given worker count and differs from a one-worker run only by float32
 * summation order.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { VaekitError } from '../../errors.js';
import type { TrainBackend } from '../backend/train-backends.js';
import type { StepContext, StepInput, StepResult } from '../objective/train-step.js';
import type { TrainConfig } from '../options/train-config.js';
import { captureOptimizer } from './optimizer-state.js';
import { Replica, type ReplicaTimings } from './replica.js';
import type { ReplicaInit, ReplicaMessage } from './replica-messages.js';
import { REPLICA_WORKER_URL } from './replica-worker-url.js';
import { StepExchange } from './step-exchange.js';

export interface ReplicaPoolOptions {
  /** The main thread's step context: its models, optimizer and variables become replica 0. */
  ctx: StepContext;
  config: TrainConfig;
  backend: TrainBackend;
  inputShape: number[];
  valueRange: [number, number];
  classes: number | null;
}

/** A worker thread running replica-worker.ts; from source, through tsx (a dev dependency). */
function startWorker(init: ReplicaInit): Worker {
  const url = REPLICA_WORKER_URL;
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: init });
  // tsx's ESM register API (require.resolve would give its CommonJS build, which cannot register ESM hooks).
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

export class ReplicaPool {
  private steps = 0;
  private closing = false;

  private constructor(
    private readonly exchange: StepExchange,
    private readonly replica: Replica,
    private readonly workers: Worker[],
    private readonly freeBits: number,
  ) {}

  /** Starts `config.workers − 1` worker threads from the main thread's current weights and Adam state. */
  static async start(options: ReplicaPoolOptions): Promise<ReplicaPool> {
    const { ctx, config } = options;
    const W = config.workers;
    const features = options.inputShape.reduce((a, b) => a * b, 1);
    const exchange = new StepExchange({
      workers: W,
      parameters: ctx.variables.reduce((sum, v) => sum + v.size, 0),
      batchSize: config.batchSize,
      features,
      latentDim: config.architecture.latentDim,
      mcSamples: config.mcSamples,
      classes: options.classes ?? 0,
    });
    const weights = ctx.variables.map((v) => Float32Array.from(v.dataSync()));
    const optimizer = await captureOptimizer(ctx.optimizer as import('@tensorflow/tfjs-core').AdamOptimizer);
    let fail: (error: Error) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (fail = reject));
    failure.catch(() => undefined); // observed by whoever awaits a step; never unhandled
    let pool: ReplicaPool | undefined;
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let rank = 1; rank < W; rank++) {
      const worker = startWorker({
        rank, backend: options.backend, config, inputShape: options.inputShape, valueRange: options.valueRange,
        classes: options.classes, weights, optimizer, sizes: exchange.sizes, buffers: exchange.buffers,
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
        if (!pool?.closing) fail(workerError(rank, `the thread exited with code ${code}`));
      });
    }
    const replica = new Replica(ctx, exchange, 0, (phase, step) => exchange.waitAllDoneAsync(phase, step, failure));
    pool = new ReplicaPool(exchange, replica, workers, config.freeBits);
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
    const sums = await this.replica.step(step);
    const recon = sums.recon / input.n;
    const kl = sums.kl / input.n;
    const klTerm = sums.klMeans ? sums.klMeans.reduce((sum, m) => sum + Math.max(m, this.freeBits), 0) : kl;
    return { objective: recon + input.beta * klTerm, recon, kl };
  }

  /** Where the main thread's step time went (replica 0). */
  get timings(): ReplicaTimings {
    return { ...this.replica.timings };
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
