/**
 * The worker side of distributed scoring: takes chunk jobs from a BullMQ queue, scores them with
 * its own copy of the model (refusing jobs that name another model), and stores each result in
 * Redis for the producer. Bit-identical to a local run because the chunk boundaries travel with
 * the job and ε depends only on (seed, stream, offset).
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { scoreChunk } from '../score/score-chunk.js';
import type { Vae } from '../vae/vae.js';
import { decodeChunkJob, encodeChunkResult, rowRange, type ChunkJobData, type JobModel } from './chunk-job.js';
import { connectRedis, redactedUrl, redisOptions } from './redis-connection.js';
import { jobModelOf, runKeys } from './run-identity.js';

/** Stall detection and results: the defaults of `vaekit worker` (flags override them). */
export const WORKER_DEFAULTS = {
  concurrency: 1,
  /** A job's lock lives this long unless renewed (every half of it) by a live worker. */
  lockDurationMs: 10_000,
  /** How often workers look for jobs whose lock expired (a killed worker's) and put them back. */
  stalledIntervalMs: 5_000,
  /** Times a chunk may be taken back from a stopped worker before it counts as failed. */
  maxStalledCount: 2,
} as const;

/** How long a stored result waits for its producer (one that never comes back leaves no garbage). */
export const RESULT_TTL_SECONDS = 7 * 24 * 3600;

export interface ScoreWorkerOptions {
  /** `redis://host:port/db`. */
  queue: string;
  queueName: string;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** Shown in the producer's progress and stored on each job; default `<hostname>:<pid>`. */
  name?: string;
  /** One line per event (job started, done, refused, connection errors). */
  log?: (line: string) => void;
}

export interface ScoreWorker {
  readonly name: string;
  /** Stops taking jobs, waits for the ones in progress to finish, and closes the connections. */
  close(): Promise<void>;
}

/** Why a job names another model, or null when the hashes agree. */
function modelMismatch(job: JobModel, own: JobModel, folder: string): string | null {
  const differs = (['encoderSha256', 'decoderSha256', 'calibrationSha256'] as const).filter((key) => job[key] !== own[key]);
  if (differs.length === 0) return null;
  const show = (m: JobModel) => differs.map((key) => `${key.replace('Sha256', '')} SHA-256 ${m[key] || '(no calibration)'}`).join(', ');
  return `the job names model '${job.name}' with ${show(job)}; this worker's model '${own.name}' (${folder}) has ${show(own)}: start the worker with the producer's model folder`;
}

/**
 * Starts a worker on `options.queue` that scores chunk jobs with `vae`.
 *
 * @example
 * ```ts
 * const vae = await Vae.load('models/mnist-mlp');
 * const worker = await startScoreWorker(vae, 'models/mnist-mlp', { queue: 'redis://127.0.0.1:6379/0', queueName: 'vaekit-score' });
 * process.once('SIGTERM', () => worker.close());
 * ```
 */
export async function startScoreWorker(vae: Vae, folder: string, options: ScoreWorkerOptions): Promise<ScoreWorker> {
  const log = options.log ?? (() => {});
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const own = jobModelOf(vae.manifest);
  const features = vae.inputShape.reduce((a, b) => a * b, 1);
  // Fails fast on a wrong address; the worker's own connections then reconnect forever.
  const results: Redis = await connectRedis(options.queue);
  results.on('error', () => {});

  const process_ = async (job: Job<ChunkJobData>) => {
    const data = job.data;
    const range = `chunk ${data.index} (${rowRange(data.first, data.count)})`;
    const mismatch = modelMismatch(data.model, own, folder);
    // Another worker with the same wrong model would refuse it too: fail the job now, no retries.
    if (mismatch) throw new UnrecoverableError(`worker ${name} refused ${range}: ${mismatch}`);
    if (data.features !== features) throw new UnrecoverableError(`worker ${name} refused ${range}: rows of ${data.features} values, the model takes ${features}`);
    const input = await decodeChunkJob(data);
    const started = performance.now();
    await job.updateProgress({ worker: name, rows: 0, of: data.count });
    log(`${range}: scoring (attempt ${job.attemptsStarted})`);
    const scored = await scoreChunk(vae, input, data.settings);
    const seconds = (performance.now() - started) / 1000;
    const key = runKeys(job.queueName, data.runId).result(data.index);
    await results.set(key, JSON.stringify(encodeChunkResult(data.index, scored, name, seconds)), 'EX', RESULT_TTL_SECONDS);
    log(`${range}: done in ${seconds.toFixed(2)} s`);
    return { worker: name, rows: data.count, seconds };
  };

  const worker = new Worker<ChunkJobData>(options.queueName, process_, {
    connection: redisOptions(options.queue),
    name,
    concurrency: options.concurrency ?? WORKER_DEFAULTS.concurrency,
    lockDuration: options.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? WORKER_DEFAULTS.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? WORKER_DEFAULTS.maxStalledCount,
  });
  // Connection errors repeat while Redis is away: say so once per outage, not once per retry.
  let down = false;
  worker.on('error', (error) => {
    if (!down) log(`Redis: ${error.message}; reconnecting`);
    down = true;
  });
  worker.on('ready', () => {
    if (down) log('Redis: connected again');
    down = false;
  });
  worker.on('failed', (job, error) => {
    if (job) log(`chunk ${job.data.index} (${rowRange(job.data.first, job.data.count)}) failed: ${error.message}`);
  });
  await worker.waitUntilReady();
  log(`worker ${name}: model '${own.name}' (encoder ${own.encoderSha256.slice(0, 12)}…), queue '${options.queueName}' on ${redactedUrl(options.queue)}, concurrency ${options.concurrency ?? WORKER_DEFAULTS.concurrency}`);

  return {
    name,
    async close() {
      await worker.close();
      await results.quit().catch(() => results.disconnect());
    },
  };
}
