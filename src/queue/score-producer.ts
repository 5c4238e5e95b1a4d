/**
 * The producer side of distributed scoring: puts a data set's chunks on a BullMQ queue (one job
 * per chunk, at most `window` of them ahead of the output), and hands the results to `append` in
 * chunk order, so the file it writes equals a local run's. Restartable: job ids and result keys
 * derive from the run id, so a producer started again finds the jobs and results it left.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { VaekitError } from '../errors.js';
import type { ScoreChunkInput, ScoredChunk, ScoreSettings } from '../score/score-chunk.js';
import { decodeChunkResult, encodeChunkJob, rowRange, type ChunkJobData, type ChunkResultData, type JobModel } from './chunk-job.js';
import { connectRedis, redisOptions } from './redis-connection.js';
import { runKeys } from './run-identity.js';

export const PRODUCER_DEFAULTS = {
  queueName: 'vaekit-score',
  /** Chunks on the queue ahead of the output: keep it ≥ 2 × the workers' total concurrency. */
  window: 16,
  /** Tries per chunk before the run fails (a stalled worker's chunk does not count as one). */
  attempts: 3,
  /** First retry delay; doubles each time. */
  backoffMs: 1000,
} as const;

/** Re-check the next chunk this often even without a queue event (events can be missed while Redis restarts). */
const POLL_MS = 1000;

export interface QueueProgress {
  rowsDone: number;
  /** Rows of this producer's session per second. */
  rowsPerSecond: number;
  /** Rows scored per worker name, in this session. */
  workers: ReadonlyMap<string, number>;
  /** Chunks taken back from a stopped worker (BullMQ's stall detection) so far. */
  stalled: number;
}

export interface QueuedScoreOptions {
  /** `redis://host:port/db`. */
  queue: string;
  queueName?: string;
  runId: string;
  model: JobModel;
  /** Values per row. */
  features: number;
  settings: ScoreSettings;
  /** The chunks from `firstChunk` on, in order (index = position in the whole run). */
  chunks: AsyncIterable<ScoreChunkInput & { index: number }>;
  /** The first chunk the output still needs (> 0 when resuming). */
  firstChunk: number;
  /** Rows written before `firstChunk` (a resumed run's progress starts there). */
  rowsBefore?: number;
  window?: number;
  attempts?: number;
  backoffMs?: number;
  /** Receives every chunk's scores once, in order. */
  append(chunk: ScoredChunk): Promise<void>;
  onProgress?(progress: QueueProgress): void;
  log?(line: string): void;
}

/** A chunk put on the queue and not yet written out: kept to re-add it if Redis lost its job. */
interface InFlight {
  index: number;
  chunk: ScoreChunkInput;
}

/**
 * Scores `options.chunks` on the queue and appends the results in order. Throws `job-failed`
 * naming the row range when a chunk fails on every attempt.
 *
 * @example
 * ```ts
 * await scoreOnQueue({ queue: 'redis://127.0.0.1:6379/0', runId, model: jobModelOf(manifest), features: 784,
 *   settings: { k: 100, seed: 1 }, chunks, firstChunk: 0, append: (chunk) => output.append(chunk) });
 * ```
 */
export async function scoreOnQueue(options: QueuedScoreOptions): Promise<void> {
  const queueName = options.queueName ?? PRODUCER_DEFAULTS.queueName;
  const window = options.window ?? PRODUCER_DEFAULTS.window;
  const attempts = options.attempts ?? PRODUCER_DEFAULTS.attempts;
  const log = options.log ?? (() => {});
  const keys = runKeys(queueName, options.runId);
  const redis: Redis = await connectRedis(options.queue);
  const queue = new Queue<ChunkJobData, unknown, string>(queueName, { connection: redisOptions(options.queue) });
  const events = new QueueEvents(queueName, { connection: redisOptions(options.queue) });
  let redisDown = false;
  const onRedisError = (error: Error) => {
    if (!redisDown) log(`Redis: ${error.message}; reconnecting`);
    redisDown = true;
  };
  redis.on('error', onRedisError);
  redis.on('ready', () => {
    if (redisDown) log('Redis: connected again');
    redisDown = false;
  });
  queue.on('error', onRedisError);
  events.on('error', onRedisError);

  // Queue events only wake the loop early; the poll finds everything anyway.
  let wake: (() => void) | null = null;
  const nudge = () => wake?.();
  const changed = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, POLL_MS).unref();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const ours = (jobId: string) => jobId.startsWith(`${options.runId}-`);
  const workers = new Map<string, number>();
  let stalled = 0;
  events.on('completed', ({ jobId }) => ours(jobId) && nudge());
  events.on('failed', ({ jobId }) => ours(jobId) && nudge());
  events.on('stalled', ({ jobId }) => {
    if (!ours(jobId)) return;
    stalled++;
    log(`chunk ${jobId.slice(options.runId.length + 1)}: its worker stopped renewing the job's lock (stalled); BullMQ put it back for another worker`);
  });
  events.on('progress', ({ jobId, data }) => {
    const worker = (data as { worker?: unknown })?.worker;
    if (ours(jobId) && typeof worker === 'string' && !workers.has(worker)) workers.set(worker, 0);
  });

  const add = async ({ index, chunk }: InFlight) => {
    const jobId = keys.jobId(index);
    await queue.add('score-chunk', await encodeChunkJob(options.runId, index, chunk, options.features, options.model, options.settings), {
      jobId,
      attempts,
      backoff: { type: 'exponential', delay: options.backoffMs ?? PRODUCER_DEFAULTS.backoffMs },
      removeOnComplete: true,
      removeOnFail: false,
    });
  };
  /** Puts a chunk on the queue unless its result is already stored (adding a job id that exists does nothing). */
  const enqueue = async (item: InFlight) => {
    if ((await redis.exists(keys.result(item.index))) === 1) return;
    await add(item);
  };
  const sessionStart = Date.now();
  const retried = new Set<number>();
  /** The stored result of `item`, once there; throws when its job failed for good. */
  const resultOf = async (item: InFlight): Promise<ChunkResultData> => {
    const key = keys.result(item.index);
    for (;;) {
      const wait = changed();
      const stored = await redis.get(key);
      if (stored !== null) return JSON.parse(stored) as ChunkResultData;
      const jobId = keys.jobId(item.index);
      const state = await queue.getJobState(jobId);
      if (state === 'failed') {
        const job = await queue.getJob(jobId);
        // Failed before this producer started (a run stopped by that failure): new attempts, once
        // (once: a worker whose clock runs behind must not make a fresh failure look old forever).
        if (job && (job.finishedOn ?? 0) < sessionStart && !retried.has(item.index)) {
          retried.add(item.index);
          log(`chunk ${item.index} (${rowRange(item.chunk.first, item.chunk.count)}) failed in an earlier run (${job.failedReason}); retrying it`);
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          continue;
        }
        throw new VaekitError(
          'job-failed',
          `chunk ${item.index} (${rowRange(item.chunk.first, item.chunk.count)}) failed after ${job?.attemptsMade ?? attempts} attempt(s): ${job?.failedReason ?? 'no reason recorded'}. ` +
            `Its job ${jobId} stays in queue '${queueName}' as failed; fix the cause, then run the same command with --resume to retry it`,
        );
      }
      // Neither a job nor a result (e.g. Redis restarted without persistence): put it back, unless it completed meanwhile.
      if (state === 'unknown' && (await redis.exists(key)) === 0) {
        log(`chunk ${item.index}: its job is gone from Redis; adding it again`);
        await add(item);
      }
      await wait;
    }
  };

  const started = performance.now();
  let rowsDone = options.rowsBefore ?? 0;
  let rowsThisSession = 0;
  const report = () =>
    options.onProgress?.({ rowsDone, rowsPerSecond: rowsThisSession / Math.max((performance.now() - started) / 1000, 1e-9), workers, stalled });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    // Results of chunks an earlier session wrote but did not get to delete.
    for (let i = 0; i < options.firstChunk; i += 1000) {
      await redis.unlink(...Array.from({ length: Math.min(1000, options.firstChunk - i) }, (_, j) => keys.result(i + j)));
    }
    const inFlight: InFlight[] = [];
    const source = options.chunks[Symbol.asyncIterator]();
    let exhausted = false;
    let expected = options.firstChunk;
    for (;;) {
      while (!exhausted && inFlight.length < window) {
        const next = await source.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const { index, ...chunk } = next.value;
        if (index !== expected) throw new VaekitError('invalid-argument', `chunks: expected chunk ${expected} next, found chunk ${index}`);
        expected++;
        const item = { index, chunk };
        await enqueue(item);
        inFlight.push(item);
      }
      const head = inFlight.shift();
      if (!head) break;
      const result = await resultOf(head);
      await options.append(decodeChunkResult(result, head.chunk.labels));
      await redis.unlink(keys.result(head.index));
      rowsDone += result.count;
      rowsThisSession += result.count;
      workers.set(result.worker, (workers.get(result.worker) ?? 0) + result.count);
      report();
    }
  } finally {
    await Promise.allSettled([queue.close(), events.close(), redis.quit()]);
  }
}
