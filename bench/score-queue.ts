/**
 * What the BullMQ queue costs `vaekit score`: the same scoring (models/mnist-mlp, the embedded
 * MNIST digits, IWAE-k) in one process (`vaekit score`, ONNX Runtime with its default threads, one
 * per core) and as `vaekit score --queue` with 2 `vaekit worker --threads 1` on a Redis of its own
 * (Debian's redis-server, append-only file fsynced every second: Redis's recommended persistence;
 * the tests fsync on every write, which on this machine's disk costs ~5 ms per write). Workers
 * are started, have loaded the model and have scored a warm-up run before anything is timed.
 *
 * Each mode runs twice, on n₁ and n₂ rows; rows/s = (n₂ − n₁) / (t₂ − t₁) with t the command's
 * wall time, so what every run pays once (process start, model and data loading, connecting to
 * Redis: reported as "fixed s") cancels out and what remains is the rate per row. The output files
 * of the n₂ runs must be equal.
 *
 * Also measured, by the same difference:
 *   - per-job overhead: 1-row chunks at k = 1 (almost no compute), ms per job through the queue
 *     minus ms per chunk locally (wall time), and per job of worker time (2 workers × the wall
 *     time per job) minus the local chunk's
 *   - Redis bytes per job: MEMORY USAGE of a waiting job's hash and of a stored result, for
 *     several chunk sizes (what Redis holds per chunk in flight)
 *   - Redis's work per job (INFO counters around one queue run): CPU ms, commands, network bytes
 *     in and out — what sets how many jobs/s one Redis serves
 *
 * `npx tsx bench/score-queue.ts [--rows 4000] [--k 100] [--chunk-rows 100] [--repeat 3]`
 *
 * Prints one JSON line, then tables.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { encodeChunkJob, encodeChunkResult } from '../src/queue/chunk-job.js';
import { readScoreChunks } from '../src/score/read-chunks.js';
import type { ScoredChunk } from '../src/score/score-chunk.js';
import { parseManifest } from '../src/manifest/index.js';
import { jobModelOf } from '../src/queue/run-identity.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { option } from './options.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MODEL = 'models/mnist-mlp';
const ROWS = option('rows', 4000);
const K = option('k', 100);
const CHUNK_ROWS = option('chunk-rows', 100);
const OVERHEAD_ROWS = 600;
const REPEAT = option('repeat', 3);

function vaekit(args: string[]) {
  // The CLI from source (as the tests run it): dist/ may be rebuilt by a concurrent build.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, stderr: () => err, stdout: () => out };
}

/** Wall seconds of `vaekit <args>`; throws on a non-zero exit. */
async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  const run = vaekit(args);
  const code = await run.exited;
  if (code !== 0) throw new Error(`vaekit ${args.join(' ')} exited with ${code}:\n${run.stderr()}`);
  return (performance.now() - started) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Seconds per row and fixed seconds of each mode, from runs on `small` and `large` rows: REPEAT
 * rounds with the modes interleaved (the load of the machine drifts alike for both), medians.
 */
async function perRow<M extends string>(modes: Record<M, (rows: number, tag: string) => Promise<number>>, small: number, large: number) {
  const rounds: Record<string, { secondsPerRow: number; fixedSeconds: number; wallSeconds: number }[]> = {};
  for (let round = 0; round < REPEAT; round++) {
    for (const [mode, run] of Object.entries(modes) as [M, (rows: number, tag: string) => Promise<number>][]) {
      const t1 = await run(small, `${round}-small`);
      const t2 = await run(large, `${round}-large`);
      const secondsPerRow = (t2 - t1) / (large - small);
      (rounds[mode] ??= []).push({ secondsPerRow, fixedSeconds: t1 - small * secondsPerRow, wallSeconds: t2 });
    }
  }
  const pick = (mode: M) => ({
    secondsPerRow: median(rounds[mode]!.map((r) => r.secondsPerRow)),
    fixedSeconds: median(rounds[mode]!.map((r) => r.fixedSeconds)),
    wallSeconds: median(rounds[mode]!.map((r) => r.wallSeconds)),
  });
  return Object.fromEntries((Object.keys(modes) as M[]).map((mode) => [mode, pick(mode)])) as Record<M, ReturnType<typeof pick>>;
}

/** Two workers with one ONNX Runtime thread each, resolved once both have loaded the model. */
async function startWorkers(url: string, count: number, queueName = 'vaekit-score') {
  const workers = Array.from({ length: count }, (_, i) => vaekit(['worker', MODEL, '--queue', url, '--queue-name', queueName, '--threads', '1', '--name', `${queueName}-w${i}`]));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const check = setInterval(() => {
            if (/concurrency \d/.test(w.stderr())) clearInterval(check), resolve();
          }, 50);
          void w.exited.then((code) => (clearInterval(check), reject(new Error(`worker exited with ${code}:\n${w.stderr()}`))));
        }),
    ),
  );
  return { stop: () => Promise.all(workers.map((w) => (w.child.kill('SIGTERM'), w.exited))) };
}

/** Redis's counters (INFO): CPU seconds, commands, network bytes. */
async function redisCounters(client: Redis) {
  const info = await client.info();
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)![1]);
  return { cpu: field('used_cpu_sys') + field('used_cpu_user'), commands: field('total_commands_processed'), netIn: field('total_net_input_bytes'), netOut: field('total_net_output_bytes') };
}

/** What Redis does per job during `run` (a queue run of `jobs` chunks): CPU ms, commands, bytes in and out. */
async function redisPerJob(client: Redis, jobs: number, run: () => Promise<unknown>) {
  const before = await redisCounters(client);
  await run();
  const after = await redisCounters(client);
  return {
    jobs,
    cpuMsPerJob: ((after.cpu - before.cpu) * 1000) / jobs,
    commandsPerJob: (after.commands - before.commands) / jobs,
    netInBytesPerJob: (after.netIn - before.netIn) / jobs,
    netOutBytesPerJob: (after.netOut - before.netOut) / jobs,
  };
}

const dir = await mkdtemp(join(tmpdir(), 'vaekit-bench-queue-'));
const redis = await startRedis({ appendfsync: 'everysec' });
const data = (rows: number) => ['--data', 'mnist', '--max-rows', String(rows)];
const score = (out: string, rows: number, chunkRows: number, k: number, extra: string[] = []) =>
  ['score', MODEL, ...data(rows), '--k', String(k), '--chunk-rows', String(chunkRows), '--out', join(dir, out), ...extra];
try {
  const queue = ['--queue', redis.url];
  // Throughput: local (all cores) vs 2 workers × 1 thread.
  // Idle workers wait on a blocking Redis read: they take no CPU from the local runs.
  const workers = await startWorkers(redis.url, 2);
  // One more worker alone on its own queue: the queue's cost without the question of whether two
  // processes get two cores' worth of CPU on a machine shared with other jobs.
  const single = await startWorkers(redis.url, 1, 'single');
  const queueSingle = [...queue, '--queue-name', 'single'];
  await timed(score('warm-up.csv', 4 * CHUNK_ROWS, CHUNK_ROWS, K, queue));
  await timed(score('warm-up-single.csv', 2 * CHUNK_ROWS, CHUNK_ROWS, K, queueSingle));
  // Throughput: local (all cores) vs 2 workers × 1 thread, and 1 worker × 1 thread.
  const { local, queued, queuedSingle } = await perRow(
    {
      local: (rows, tag) => timed(score(`local-${tag}.csv`, rows, CHUNK_ROWS, K)),
      queued: (rows, tag) => timed(score(`queue-${tag}.csv`, rows, CHUNK_ROWS, K, queue)),
      queuedSingle: (rows, tag) => timed(score(`queue-single-${tag}.csv`, rows, CHUNK_ROWS, K, queueSingle)),
    },
    ROWS / 4,
    ROWS,
  );
  // Per-job overhead: 1-row chunks, k = 1 (almost no compute).
  const { localTiny, queueTiny } = await perRow(
    {
      localTiny: (rows, tag) => timed(score(`local-1-${tag}.csv`, rows, 1, 1)),
      queueTiny: (rows, tag) => timed(score(`queue-1-${tag}.csv`, rows, 1, 1, queue)),
    },
    OVERHEAD_ROWS / 3,
    OVERHEAD_ROWS,
  );
  // Redis's work per job, for 1-row jobs and for the chunk size of the throughput runs.
  const counters = new Redis(redis.port, '127.0.0.1');
  const redisLoad = [
    { chunkRows: 1, ...(await redisPerJob(counters, OVERHEAD_ROWS, () => timed(score('load-1.csv', OVERHEAD_ROWS, 1, 1, queue)))) },
    { chunkRows: CHUNK_ROWS, ...(await redisPerJob(counters, ROWS / CHUNK_ROWS, () => timed(score('load-n.csv', ROWS, CHUNK_ROWS, K, queue)))) },
  ];
  counters.disconnect();
  await Promise.all([workers.stop(), single.stop()]);
  const equal = (await readFile(join(dir, 'local-0-large.csv'))).equals(await readFile(join(dir, 'queue-0-large.csv')));
  if (!equal) throw new Error('the queue run wrote another file than the local run');

  // Redis bytes per job and per result, by chunk size.
  const manifest = parseManifest(await readFile(join(ROOT, MODEL, 'vaekit.json'), 'utf8'));
  const model = jobModelOf(manifest);
  const client = new Redis(redis.port, '127.0.0.1');
  const bytesQueue = new Queue('bytes', { connection: { host: '127.0.0.1', port: redis.port } });
  const bytes: { chunkRows: number; jobBytes: number; resultBytes: number }[] = [];
  for (const chunkRows of [1, 100, 1000]) {
    const chunk = (await readScoreChunks(manifest, 'mnist', { split: 'test' }, chunkRows)[Symbol.asyncIterator]().next()).value!;
    const job = await bytesQueue.add('score-chunk', await encodeChunkJob('bench', 0, chunk, 784, model, { k: K, seed: 1 }), { jobId: `bench-${chunkRows}` });
    const jobBytes = Number(await client.call('MEMORY', 'USAGE', `bull:bytes:${job.id}`, 'SAMPLES', '0'));
    const f64 = () => new Float64Array(chunkRows).map((_, i) => 100 + i / 7);
    const scored: ScoredChunk = { first: 0, count: chunkRows, labels: null, negElbo: f64(), recon: f64(), kl: f64(), nll: f64(), percentile: null };
    await client.set('bench-result', JSON.stringify(encodeChunkResult(0, scored, 'host:12345', 0.1)));
    const resultBytes = Number(await client.call('MEMORY', 'USAGE', 'bench-result', 'SAMPLES', '0'));
    bytes.push({ chunkRows, jobBytes, resultBytes });
  }
  await bytesQueue.close();
  client.disconnect();

  const round = (v: number, d = 1) => Number(v.toFixed(d));
  const [localRps, queueRps] = [1 / local.secondsPerRow, 1 / queued.secondsPerRow];
  // Per 1-row chunk: ms of a chunk in each run, and the difference.
  const [localMs, queueMs] = [localTiny.secondsPerRow * 1000, queueTiny.secondsPerRow * 1000];
  const overheadMs = queueMs - localMs;
  const workerOverheadMs = 2 * queueMs - localMs;
  console.log(
    JSON.stringify({
      bench: 'score-queue',
      model: MODEL,
      rows: ROWS,
      repeat: REPEAT,
      redisAppendfsync: 'everysec',
      k: K,
      chunkRows: CHUNK_ROWS,
      cores: availableParallelism(),
      cpu: cpus()[0]?.model,
      node: process.version,
      local: { rowsPerSecond: round(localRps), fixedSeconds: round(local.fixedSeconds, 2), wallSeconds: round(local.wallSeconds, 2) },
      queue: { workers: 2, threadsPerWorker: 1, rowsPerSecond: round(queueRps), fixedSeconds: round(queued.fixedSeconds, 2), wallSeconds: round(queued.wallSeconds, 2) },
      queueCostPercent: round((1 - queueRps / localRps) * 100),
      queueSingle: { workers: 1, threadsPerWorker: 1, rowsPerSecond: round(1 / queuedSingle.secondsPerRow), fixedSeconds: round(queuedSingle.fixedSeconds, 2) },
      perJob: { rows: OVERHEAD_ROWS, chunkRows: 1, k: 1, localMsPerChunk: round(localMs, 2), queueMsPerJob: round(queueMs, 2), overheadMs: round(overheadMs, 2), workerMsPerJob: round(2 * queueMs, 2), workerOverheadMs: round(workerOverheadMs, 2) },
      redisBytes: bytes,
      redisLoad: redisLoad.map((r) => ({ chunkRows: r.chunkRows, jobs: r.jobs, cpuMsPerJob: round(r.cpuMsPerJob, 3), commandsPerJob: round(r.commandsPerJob), netInBytesPerJob: Math.round(r.netInBytesPerJob), netOutBytesPerJob: Math.round(r.netOutBytesPerJob) })),
      sameFile: equal,
    }),
  );
  console.table([
    { run: `local (1 process, ${availableParallelism()} threads)`, 'rows/s': round(localRps), 'fixed s': round(local.fixedSeconds, 2), [`wall s (${ROWS} rows)`]: round(local.wallSeconds, 2) },
    { run: '--queue, 2 workers × 1 thread', 'rows/s': round(queueRps), 'fixed s': round(queued.fixedSeconds, 2), [`wall s (${ROWS} rows)`]: round(queued.wallSeconds, 2) },
    { run: '--queue, 1 worker × 1 thread', 'rows/s': round(1 / queuedSingle.secondsPerRow), 'fixed s': round(queuedSingle.fixedSeconds, 2), [`wall s (${ROWS} rows)`]: round(queuedSingle.wallSeconds, 2) },
  ]);
  console.table([{ 'local ms per 1-row chunk': round(localMs, 2), 'queue ms per 1-row job': round(queueMs, 2), 'per-job overhead (ms)': round(overheadMs, 2), 'worker ms per job (2 workers)': round(2 * queueMs, 2), 'worker-time overhead (ms)': round(workerOverheadMs, 2) }]);
  console.table(redisLoad.map((r) => ({ 'chunk rows': r.chunkRows, jobs: r.jobs, 'Redis CPU ms/job': round(r.cpuMsPerJob, 3), 'commands/job': round(r.commandsPerJob), 'bytes in/job': Math.round(r.netInBytesPerJob), 'bytes out/job': Math.round(r.netOutBytesPerJob) })));
  console.table(bytes.map((b) => ({ 'chunk rows': b.chunkRows, 'job bytes in Redis': b.jobBytes, 'result bytes in Redis': b.resultBytes, 'bytes/row': round((b.jobBytes + b.resultBytes) / b.chunkRows) })));
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
