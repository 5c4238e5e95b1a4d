/**
 * `vaekit score` on data sets larger than memory would like: rows/s and the child's peak RSS for
 *   - Fashion-MNIST's 70 000 images (train file then test file, streamed from Debian's gzip IDX
 *     files) scored by models/mnist-mlp, and
 *   - a generated CSV table of 1 000 000 rows (4 features, a class column) scored by a tiny table
 *     model that the CLI trains and exports first (2 latent dimensions, hidden 16, Gaussian σ 0.1),
 * both with IWAE k = 1 by default (−ELBO and the k-sample NLL per row; time grows about linearly
 * with k), ONNX Runtime cpu with its default threads. Each run is `node dist/cli.js score … --verbose`
 * in a child process: rows/s is the scoring loop's (from the first chunk read to the last written;
 * for CSV it includes the first pass over the file that finds the classes of the label column),
 * seconds the whole command's (with the model load).
 * `npx tsx bench/score.ts [--k 1] [--chunk-rows 256] [--csv-rows 1000000]` (run `npm run build` first)
 *
 * Prints one JSON line, then a table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './options.js';
import { writeSeededTable } from '../test/helpers/seeded-table.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const K = option('k', 1);
const CHUNK_ROWS = option('chunk-rows', 256);
const CSV_ROWS = option('csv-rows', 1_000_000);

function vaekit(args: string[]): string {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`vaekit ${args.join(' ')} exited ${run.status}:\n${run.stderr}`);
  return run.stdout;
}

interface Summary {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  maxRssBytes: number;
  provider: string;
}

/** Runs `vaekit score` with --verbose and returns its summary line. */
function score(model: string, data: string[], out: string): Summary {
  const stdout = vaekit(['score', model, ...data, '--k', String(K), '--chunk-rows', String(CHUNK_ROWS), '--device', 'cpu', '--out', out, '--verbose']);
  return JSON.parse(stdout.trim().split('\n').at(-2)!) as Summary;
}

const dir = await mkdtemp(join(tmpdir(), 'vaekit-bench-score-'));
try {
  const fashion = score(join(ROOT, 'models/mnist-mlp'), ['--data', 'fashion-mnist'], join(dir, 'fashion.csv'));

  const table = join(dir, 'table.csv');
  await writeSeededTable(join(dir, 'train.csv'), 3000);
  vaekit([
    'train', '--data', 'csv', '--csv', join(dir, 'train.csv'), '--label', 'kind', '--likelihood', 'gaussian', '--sigma', '0.1',
    '--backend', 'wasm', '--epochs', '2', '--hidden', '16', '--latent-dim', '2', '--iwae-samples', '4', '--batch-size', '64', '--out', join(dir, 'run'),
  ]);
  vaekit(['export', join(dir, 'run'), '--out', join(dir, 'table-model')]);
  await writeSeededTable(table, CSV_ROWS);
  const csvBytes = (await stat(table)).size;
  const csv = score(join(dir, 'table-model'), ['--data', 'csv', '--csv', table], join(dir, 'table-scores.csv'));

  const rows = [
    { data: 'Fashion-MNIST (IDX .gz)', model: 'models/mnist-mlp', rows: fashion.rows, k: K, chunkRows: CHUNK_ROWS, rowsPerSecond: Math.round(fashion.rowsPerSecond), seconds: +fashion.seconds.toFixed(1), peakRssMiB: +(fashion.maxRssBytes / 2 ** 20).toFixed(0) },
    { data: `generated CSV (${(csvBytes / 2 ** 20).toFixed(0)} MiB)`, model: 'tiny table VAE', rows: csv.rows, k: K, chunkRows: CHUNK_ROWS, rowsPerSecond: Math.round(csv.rowsPerSecond), seconds: +csv.seconds.toFixed(1), peakRssMiB: +(csv.maxRssBytes / 2 ** 20).toFixed(0) },
  ];
  const report = {
    bench: 'score',
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    k: K,
    chunkRows: CHUNK_ROWS,
    fashion: { rows: fashion.rows, rowsPerSecond: rows[0]!.rowsPerSecond, seconds: rows[0]!.seconds, peakRssBytes: fashion.maxRssBytes },
    csv: { rows: csv.rows, bytes: csvBytes, rowsPerSecond: rows[1]!.rowsPerSecond, seconds: rows[1]!.seconds, peakRssBytes: csv.maxRssBytes },
  };
  console.log(JSON.stringify(report));
  console.table(rows);
} finally {
  await rm(dir, { recursive: true, force: true });
}
