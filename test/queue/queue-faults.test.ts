/**
 * `vaekit score --queue` with `vaekit worker`s, every one a real process, against a real Redis, under
 * the faults a distributed run meets: a worker killed with SIGKILL mid-chunk, the producer killed
 * with SIGKILL and started again with --resume, Redis restarted mid-run. Each time the output file
 * must equal the local run's byte for byte, with every row once and in order.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { temporaryFolders } from '../helpers/temporary-folders.js';
import { MODEL, vaekit, vaekitRun, type Child } from './queue-helpers.js';

const folders = temporaryFolders('vaekit-queue-');
let redis: RedisServer;
let dir: string;
let local: Buffer;

const ROWS = 600;
/** k = 100: a 50-row chunk takes ~0.1–0.3 s, long enough to stop a worker in the middle of one. */
const scoreArgs = (out: string) => ['score', MODEL, '--data', 'mnist', '--split', 'test', '--max-rows', String(ROWS), '--k', '100', '--seed', '3', '--chunk-rows', '50', '--out', join(dir, out)];
/** Short locks, so a killed worker's chunk is taken back within ~3 s. */
const STALL = ['--lock-duration-ms', '2000', '--stalled-interval-ms', '1000'];

beforeAll(async () => {
  [redis, dir] = await Promise.all([startRedis(), folders.folder()]);
  const run = await vaekitRun(scoreArgs('local.csv'));
  expect(run.code, run.stderr).toBe(0);
  local = await readFile(join(dir, 'local.csv'));
});
afterAll(() => redis?.stop());

/** Workers on queue `name`, resolved once each has loaded its model and listens. */
async function startWorkers(name: string, count: number): Promise<Child[]> {
  const workers = Array.from({ length: count }, (_, i) => vaekit(['worker', MODEL, '--queue', redis.url, '--queue-name', name, '--threads', '1', '--name', `w${i}`, ...STALL]));
  await Promise.all(workers.map((w) => w.waitFor(/concurrency 1/)));
  return workers;
}

async function stopWorkers(workers: Child[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

/** Chunk indices each worker started ("chunk 3 (rows …): scoring"), over all workers. */
const scored = (workers: Child[]) => workers.flatMap((w) => [...w.stderr().matchAll(/chunk (\d+) \(rows [^)]*\): scoring/g)].map((m) => Number(m[1])));

/** The output equals the local run's, byte for byte, and holds rows 0…ROWS−1 once each, in order. */
async function expectSameAsLocal(file: string): Promise<void> {
  const bytes = await readFile(join(dir, file));
  const lines = bytes.toString().trimEnd().split('\n');
  expect(lines.length).toBe(ROWS + 1);
  expect(lines.slice(1).map((line) => Number(line.split(',')[0]))).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  expect(bytes.equals(local)).toBe(true);
}

describe('vaekit score --queue', () => {
  it('completes with 3 workers, one killed with SIGKILL in the middle of a chunk: the file equals the local run byte for byte', async () => {
    const workers = await startWorkers('kill-worker', 3);
    try {
      const producer = vaekit([...scoreArgs('killed-worker.csv'), '--queue', redis.url, '--queue-name', 'kill-worker']);
      // Stop w1 as soon as it starts a chunk (SIGSTOP freezes it there), then kill it.
      const [, chunk] = await workers[1]!.waitFor(/chunk (\d+) \(rows [^)]*\): scoring/);
      workers[1]!.child.kill('SIGSTOP');
      workers[1]!.child.kill('SIGKILL');
      expect(await producer.exited, producer.stderr()).toBe(0);
      expect(workers[1]!.stderr()).not.toMatch(new RegExp(`chunk ${chunk} \\(rows [^)]*\\): done`));
      // BullMQ's stall detection took the chunk back and another worker scored it.
      expect(producer.stderr()).toMatch(/stalled/);
      expect(scored([workers[0]!, workers[2]!])).toContain(Number(chunk));
      await expectSameAsLocal('killed-worker.csv');
      await stopWorkers([workers[0]!, workers[2]!]);
      expect(workers[0]!.child.exitCode).toBe(0);
    } finally {
      await stopWorkers(workers);
    }
  });

  it('continues after the producer is killed with SIGKILL: --resume writes the rest, no chunk is scored twice', async () => {
    const workers = await startWorkers('kill-producer', 2);
    try {
      // A window of 3 chunks: when chunk 4 is done, most chunks are not even queued yet.
      const args = [...scoreArgs('killed-producer.csv'), '--queue', redis.url, '--queue-name', 'kill-producer', '--queue-window', '3'];
      const first = vaekit(args);
      await Promise.race(workers.map((w) => w.waitFor(/chunk 4 \(rows [^)]*\): done/)));
      first.child.kill('SIGKILL');
      await first.exited;
      const again = await vaekitRun([...args, '--resume']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/resuming at chunk [1-9]/);
      await expectSameAsLocal('killed-producer.csv');
      // Results the first producer left in Redis were used, not recomputed.
      expect(scored(workers).sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS / 50 }, (_, i) => i));
    } finally {
      await stopWorkers(workers);
    }
  });

  it('completes when Redis restarts mid-run (append-only file on): producer and workers reconnect', async () => {
    const workers = await startWorkers('restart', 2);
    try {
      const producer = vaekit([...scoreArgs('restarted-redis.csv'), '--queue', redis.url, '--queue-name', 'restart', '--queue-window', '3']);
      await Promise.race(workers.map((w) => w.waitFor(/chunk 3 \(rows [^)]*\): done/)));
      await redis.restart();
      expect(await producer.exited, producer.stderr()).toBe(0);
      await expectSameAsLocal('restarted-redis.csv');
    } finally {
      await stopWorkers(workers);
    }
  });
});
