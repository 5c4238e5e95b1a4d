/**
 * Chunks that cannot be scored, against a real Redis with real workers: a chunk whose scoring
 * throws every time fails after its attempts and the producer names its rows; a worker with another
 * model refuses a job at once (no retries); `vaekit score --queue` then exits 1 with the row range.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Vae } from '../../src/node.js';
import { VaekitError } from '../../src/errors.js';
import { scoreOnQueue } from '../../src/queue/score-producer.js';
import { startScoreWorker } from '../../src/queue/score-worker.js';
import { jobModelOf, runIdOf } from '../../src/queue/run-identity.js';
import { loadDataset } from '../../src/train/data/load-dataset.js';
import type { ScoredChunk } from '../../src/score/score-chunk.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { temporaryFolders } from '../helpers/temporary-folders.js';
import { vaekit, vaekitRun } from './queue-helpers.js';

const folders = temporaryFolders('vaekit-queue-failures-');
let redis: RedisServer;
let digits: Float32Array;
beforeAll(async () => {
  redis = await startRedis();
  digits = (await loadDataset('mnist')).test.x.subarray(0, 40 * 784);
});
afterAll(() => redis.stop());

/** 4 chunks of 10 unlabelled digits. */
async function* chunks() {
  for (let i = 0; i < 4; i++) yield { index: i, first: i * 10, count: 10, x: digits.slice(i * 7840, (i + 1) * 7840), labels: null };
}

const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as VaekitError);

describe('scoreOnQueue with chunks that cannot be scored', () => {
  it('fails a chunk after its attempts (scoring throws each time), naming its rows, and leaves its job failed, not retried again', async () => {
    // The conditional model needs a label per row; these chunks have none, so every attempt throws.
    const vae = await Vae.load('test/fixtures/models/conv-cvae');
    const worker = await startScoreWorker(vae, 'test/fixtures/models/conv-cvae', { queue: redis.url, queueName: 'retries' });
    const appended: ScoredChunk[] = [];
    const model = jobModelOf(vae.manifest);
    const runId = runIdOf({ test: 'retries' }, model);
    try {
      const error = await failure(
        scoreOnQueue({ queue: redis.url, queueName: 'retries', runId, model, features: 784, settings: { k: 4, seed: 1 }, chunks: chunks(), firstChunk: 0, attempts: 3, backoffMs: 100, append: async (c) => void appended.push(c) }),
      );
      expect(error).toBeInstanceOf(VaekitError);
      expect(error!.code).toBe('job-failed');
      expect(error!.message).toMatch(/^chunk 0 \(rows 0–9\) failed after 3 attempt\(s\): model 'conv-cvae' is conditional: scoring needs a label per row/);
      expect(error!.message).toContain('--resume');
      expect(appended).toEqual([]);
      const queue = new Queue('retries', { connection: { host: '127.0.0.1', port: redis.port } });
      const job = (await queue.getJob(`${runId}-0`))!;
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsMade).toBe(3);
      await queue.close();
      // The same run started again (--resume after the cause is fixed) retries the failed chunk, once.
      const lines: string[] = [];
      const again = await failure(
        scoreOnQueue({ queue: redis.url, queueName: 'retries', runId, model, features: 784, settings: { k: 4, seed: 1 }, chunks: chunks(), firstChunk: 0, attempts: 3, backoffMs: 100, append: async (c) => void appended.push(c), log: (line) => lines.push(line) }),
      );
      expect(lines).toContain("chunk 0 (rows 0–9) failed in an earlier run (model 'conv-cvae' is conditional: scoring needs a label per row; the data has none); retrying it");
      expect(again?.message).toMatch(/^chunk 0 \(rows 0–9\) failed after 3 attempt\(s\)/);
    } finally {
      await worker.close();
      await vae.dispose();
    }
  });

  it('refuses a job that names another model at once: one attempt, the two SHA-256s in the message', async () => {
    const fp16 = await Vae.load('models/mnist-mlp-fp16');
    const fp32 = await Vae.load('models/mnist-mlp');
    const worker = await startScoreWorker(fp16, 'models/mnist-mlp-fp16', { queue: redis.url, queueName: 'models', name: 'fp16-worker' });
    const model = jobModelOf(fp32.manifest);
    try {
      const error = await failure(
        scoreOnQueue({ queue: redis.url, queueName: 'models', runId: runIdOf({ test: 'models' }, model), model, features: 784, settings: { k: 4, seed: 1 }, chunks: chunks(), firstChunk: 0, append: async () => {} }),
      );
      expect(error?.code).toBe('job-failed');
      expect(error!.message).toContain('chunk 0 (rows 0–9) failed after 1 attempt(s): worker fp16-worker refused chunk 0 (rows 0–9)');
      expect(error!.message).toContain(`encoder SHA-256 ${fp32.manifest.graphs.encoder.sha256}`);
      expect(error!.message).toContain(`encoder SHA-256 ${fp16.manifest.graphs.encoder.sha256}`);
      expect(error!.message).toContain('models/mnist-mlp-fp16');
    } finally {
      await worker.close();
      await Promise.all([fp16.dispose(), fp32.dispose()]);
    }
  });

  it('vaekit score --queue exits 1 naming the rows of a chunk its worker refused, and keeps the partial file for --resume', async () => {
    const worker = vaekit(['worker', 'models/mnist-mlp-fp16', '--queue', redis.url, '--queue-name', 'cli-refused', '--name', 'fp16']);
    try {
      await worker.waitFor(/concurrency 1/);
      const out = join(await folders.folder(), 'scores.csv');
      const run = await vaekitRun(['score', 'models/mnist-mlp', '--data', 'mnist', '--split', 'test', '--max-rows', '100', '--k', '4', '--chunk-rows', '50', '--out', out, '--queue', redis.url, '--queue-name', 'cli-refused']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/vaekit: error: chunk 0 \(rows 0–49\) failed after 1 attempt\(s\): worker fp16 refused chunk 0 \(rows 0–49\): the job names model 'mnist-mlp' with encoder SHA-256 [0-9a-f]{64}/);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${out}.partial`)).toBe(true);
    } finally {
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  });
});
