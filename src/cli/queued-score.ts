/**
 * `vaekit score --queue`: the producer of a distributed run. Reads the data in the run's chunks,
 * queues them for `vaekit worker`s and writes the results in order through the same ScoreOutput
 * as a local run, so the file is the same. Rows and rows/s go to the score command's progress;
 * the workers' share and the faults met go to stderr as lines. Loaded only after the QUEUE_PEERS
 * check: it imports bullmq.
 */
import type { VaeManifest } from '../manifest/schema.js';
import { jobModelOf, runIdOf } from '../queue/run-identity.js';
import { redactedUrl } from '../queue/redis-connection.js';
import { scoreOnQueue, type QueueProgress } from '../queue/score-producer.js';
import { readScoreChunks, type ScoreDataOptions } from '../score/read-chunks.js';
import type { ScoreSettings } from '../score/score-chunk.js';
import type { ScoreOutput, ScoreRunIdentity } from '../score/score-output.js';
import type { DataSource } from '../train/options/data-options.js';

/** The rows of the run and how they are scored (score-command.ts's ScoreRunPlan). */
export interface QueuedScorePlan {
  source: DataSource;
  data: ScoreDataOptions;
  settings: ScoreSettings;
  chunkRows: number;
}

export interface QueuedScoreOptions {
  /** The run's resume identity (score-command.ts's scoreIdentity): with the model's hashes, it names the run in Redis. */
  identity: ScoreRunIdentity;
  /** `redis://host:port/db`. */
  queue: string;
  queueName: string;
  /** Chunks queued ahead of the output. */
  window: number;
  /** Rows written so far, after each chunk. */
  onRows?: (rows: number) => void;
  stream?: NodeJS.WriteStream;
}

/** How often the workers' share is printed on a pipe or log file (on a TTY: at the end only). */
const WORKERS_EVERY_MS = 10_000;

const workerShare = (p: QueueProgress) =>
  `workers: ${[...p.workers].map(([name, rows]) => `${name} ${rows} rows`).join(', ') || 'none yet'}` +
  (p.stalled ? `; ${p.stalled} chunk(s) taken back from stopped workers` : '');

/**
 * Scores the rest of `output` (from its `nextChunk`) on the queue; the caller commits the output
 * after it returns.
 *
 * @example
 * ```ts
 * const output = await ScoreOutput.open('scores.csv', { resume: false, identity: scoreIdentity(manifest, plan) });
 * await runQueuedScore(manifest, plan, output, { identity: scoreIdentity(manifest, plan), queue: 'redis://127.0.0.1:6379/0', queueName: 'vaekit-score', window: 16 });
 * await output.commit();
 * ```
 */
export async function runQueuedScore(manifest: VaeManifest, plan: QueuedScorePlan, output: ScoreOutput, options: QueuedScoreOptions): Promise<void> {
  const stream = options.stream ?? process.stderr;
  const line = (text: string) => stream.write(`${stream.isTTY ? '\r\x1b[2K' : ''}vaekit score: ${text}\n`);
  const model = jobModelOf(manifest);
  // The resume identity, and the settings beyond it (batchSize): all of it fixes the output's bytes.
  const runId = runIdOf({ identity: options.identity, settings: plan.settings }, model);
  const url = redactedUrl(options.queue);
  line(`run ${runId} on queue '${options.queueName}' at ${url}; workers: vaekit worker <this model's folder> --queue ${url}${options.queueName === 'vaekit-score' ? '' : ` --queue-name ${options.queueName}`}`);
  let last: QueueProgress | null = null;
  let printedAt = performance.now();
  await scoreOnQueue({
    queue: options.queue,
    queueName: options.queueName,
    runId,
    model,
    features: manifest.input.shape.reduce((a, b) => a * b, 1),
    settings: plan.settings,
    chunks: readScoreChunks(manifest, plan.source, plan.data, plan.chunkRows, output.nextChunk),
    firstChunk: output.nextChunk,
    rowsBefore: output.rows,
    window: options.window,
    append: async (chunk) => {
      await output.append(chunk);
      options.onRows?.(output.rows);
    },
    onProgress: (progress) => {
      last = progress;
      if (!stream.isTTY && performance.now() - printedAt >= WORKERS_EVERY_MS) {
        printedAt = performance.now();
        line(workerShare(progress));
      }
    },
    log: line,
  });
  if (last) line(workerShare(last));
}
