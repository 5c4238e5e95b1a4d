/**
 * `vaekit score` from dist/cli.js: every data source, the library's numbers, resume after kill -9,
 * refusals, and memory that does not grow with the rows (a generated CSV).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae } from '../../src/node.js';
import { readScoreChunks } from '../../src/score/read-chunks.js';
import { scoreChunk } from '../../src/score/score-chunk.js';
import { formatRows, SCORE_COLUMNS } from '../../src/score/score-output.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import { loadPngFolder } from '../../src/train/data/png-folder.js';
import { writeSeededTable } from '../helpers/seeded-table.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));
const fixture = (path: string): string => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
const IDX_FLAGS = [
  '--train-images', fixture('idx/images-20-idx3-ubyte.gz'), '--train-labels', fixture('idx/labels-20-idx1-ubyte.gz'),
  '--test-images', fixture('idx/images-20-idx3-ubyte'), '--test-labels', fixture('idx/labels-20-idx1-ubyte'),
];
const FIRST_20_FASHION_TEST_LABELS = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0];
let root: string;
let csvModel: string;

function vaekit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.split(','));
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  root = await mkdtemp(join(tmpdir(), 'vaekit-cli-score-'));
  // A tiny table model, trained and exported by the CLI.
  await writeSeededTable(join(root, 'table.csv'), 600);
  const train = vaekit(
    'train', '--data', 'csv', '--csv', join(root, 'table.csv'), '--label', 'kind', '--likelihood', 'gaussian', '--sigma', '0.1',
    '--backend', 'wasm', '--epochs', '1', '--hidden', '8', '--latent-dim', '2', '--iwae-samples', '4', '--batch-size', '64', '--out', join(root, 'run'),
  );
  expect(train.code, train.stderr).toBe(0);
  csvModel = join(root, 'table-model');
  const exported = vaekit('export', join(root, 'run'), '--out', csvModel);
  expect(exported.code, exported.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('vaekit score', () => {
  it('scores the embedded digits (test split) into the bytes the library computes for the same chunks', async () => {
    const out = join(root, 'mnist.csv');
    const run = vaekit('score', MODEL, '--data', 'mnist', '--split', 'test', '--max-rows', '50', '--k', '8', '--seed', '2', '--chunk-rows', '16', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').at(-1)).toBe(`wrote ${out}: 50 rows, complete`);
    expect(run.stderr).toMatch(/rows 50 \/ 50 \(100 %\), [\d.]+ rows\/s/);

    const vae = await Vae.load(MODEL, { device: 'cpu' });
    let expected = `${SCORE_COLUMNS.join(',')}\n`;
    try {
      for await (const chunk of readScoreChunks(vae.manifest, 'mnist', { split: 'test', maxRows: 50 }, 16)) {
        expected += formatRows(await scoreChunk(vae, chunk, { k: 8, seed: 2 }), 'csv', SCORE_COLUMNS);
      }
    } finally {
      await vae.dispose();
    }
    expect(await readFile(out, 'utf8')).toBe(expected);
    const rows = csvRows(out).slice(1);
    const mnist = await loadEmbeddedMnist();
    expect(rows.map((r) => Number(r[1]))).toEqual([...mnist.test.labels!.subarray(0, 50)]);
    expect(rows.every((r) => r[6] === '' || Number(r[6]) >= 0)).toBe(true);
  });

  it('scores Fashion-MNIST test images streamed from the gzip files, with their labels', () => {
    const out = join(root, 'fashion.jsonl');
    const run = vaekit('score', MODEL, '--data', 'fashion-mnist', '--split', 'test', '--max-rows', '30', '--k', '4', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBe(30);
    expect(rows.slice(0, 20).map((r) => r.label)).toEqual(FIRST_20_FASHION_TEST_LABELS);
    // Clothes are far less likely than digits under a digit model.
    const digits = csvRows(join(root, 'mnist.csv')).slice(1).map((r) => Number(r[5]));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(rows.map((r) => r.nll))).toBeGreaterThan(mean(digits) + 50);
  });

  it('scores IDX files (train file, then test file) and a PNG folder in path order', async () => {
    const idx = join(root, 'idx.ndjson');
    const run = vaekit('score', MODEL, '--data', 'idx', ...IDX_FLAGS, '--k', '2', '--chunk-rows', '7', '--out', idx);
    expect(run.code, run.stderr).toBe(0);
    const rows = readFileSync(idx, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.index)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(rows.map((r) => r.label)).toEqual([...FIRST_20_FASHION_TEST_LABELS, ...FIRST_20_FASHION_TEST_LABELS]);
    // The same images in both files, scored with other ε (their offsets follow the row index).
    expect(rows[20].neg_elbo).not.toBe(rows[0].neg_elbo);
    for (const r of rows) expect(Number.isFinite(r.nll) && Number.isFinite(r.neg_elbo)).toBe(true);

    const png = join(root, 'png.csv');
    const folder = fixture('png-folder/digits');
    const pngRun = vaekit('score', MODEL, '--data', 'png', '--data-dir', folder, '--k', '2', '--out', png);
    expect(pngRun.code, pngRun.stderr).toBe(0);
    const whole = await loadPngFolder(folder);
    const labels = csvRows(png).slice(1).map((r) => Number(r[1]));
    expect(labels.length).toBe(whole.train.count + whole.test.count);
    expect(labels).toEqual([...labels].sort((a, b) => a - b)); // class folders in name order
  });

  it("scores a CSV table with the model's recorded columns, label and scaling, with calibrated percentiles", () => {
    const out = join(root, 'table-scores.csv');
    const run = vaekit('score', csvModel, '--data', 'csv', '--csv', join(root, 'table.csv'), '--k', '4', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    const rows = csvRows(out);
    expect(rows[0]).toEqual([...SCORE_COLUMNS]);
    expect(rows.length).toBe(601);
    expect(rows.slice(1, 7).map((r) => r[1])).toEqual(['0', '1', '2', '0', '1', '2']); // x, y, z
    const manifest = JSON.parse(readFileSync(join(csvModel, 'vaekit.json'), 'utf8'));
    for (const r of rows.slice(1)) {
      for (const v of r.slice(2, 6)) expect(Number.isFinite(Number(v))).toBe(true);
      if (manifest.calibration) expect(Number(r[6]) >= 0 && Number(r[6]) <= 100).toBe(true);
      else expect(r[6]).toBe('');
    }
    const wrong = vaekit('score', csvModel, '--data', 'csv', '--csv', join(root, 'table.csv'), '--columns', 'a,b,c', '--out', join(root, 'never.csv'));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/3 feature column\(s\) \(a, b, c\); model 'table-model' takes 4 \(input shape \[4\]\)/);
    const scaling = vaekit('score', csvModel, '--data', 'csv', '--csv', join(root, 'table.csv'), '--scaling', 'none', '--out', join(root, 'never.csv'));
    expect(scaling.stderr).toContain("--scaling applies to training; vaekit score scales CSV rows with the model's recorded scaling");
  });

  it('resumes a run killed with SIGKILL, then one stopped with Ctrl-C, and writes the bytes of an uninterrupted run', async () => {
    const args = ['--data', 'mnist', '--split', 'test', '--max-rows', '160', '--k', '100', '--chunk-rows', '20'];
    const whole = join(root, 'whole.csv');
    expect(vaekit('score', MODEL, ...args, '--out', whole).code).toBe(0);

    const out = join(root, 'killed.csv');
    const state = `${out}.partial.json`;
    const chunksDone = (): number => {
      try {
        return JSON.parse(readFileSync(state, 'utf8')).chunksDone;
      } catch {
        return -1; // not written yet, or being replaced
      }
    };
    /** Starts `vaekit score … --out out`, sends `signal` once `chunks` chunks are done, returns the exit. */
    const stopped = async (extra: string[], signal: NodeJS.Signals, chunks: number) => {
      const child = spawn(process.execPath, [CLI, 'score', MODEL, ...args, '--out', out, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      const deadline = Date.now() + 60_000;
      while (chunksDone() < chunks && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      child.kill(signal);
      return { code: await exited, stderr, chunks: chunksDone() };
    };

    const killed = await stopped([], 'SIGKILL', 1);
    expect(killed.chunks).toBeGreaterThanOrEqual(1);
    expect(killed.chunks).toBeLessThan(8);
    expect(existsSync(out)).toBe(false);

    const again = vaekit('score', MODEL, ...args, '--out', out);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('holds an unfinished run');
    expect(again.stderr).toContain('continue it with --resume');
    const other = vaekit('score', MODEL, ...args.slice(0, -4), '--k', '50', '--chunk-rows', '20', '--out', out, '--resume');
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/cannot resume .*killed\.csv\.partial: it is a run with another k \(100 then, 50 now\)/);

    const interrupted = await stopped(['--resume'], 'SIGINT', killed.chunks + 1);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain(`resuming at chunk ${killed.chunks} (${killed.chunks * 20} rows written)`);
    expect(interrupted.stderr).toMatch(/SIGINT: \d+ rows are kept in .*killed\.csv\.partial; the same command with --resume continues from there/);
    expect(interrupted.chunks).toBeLessThan(8);
    expect(existsSync(out)).toBe(false);

    const resumed = vaekit('score', MODEL, ...args, '--out', out, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming at chunk ${interrupted.chunks} (${interrupted.chunks * 20} rows written)`);
    expect(await readFile(out)).toEqual(await readFile(whole));
    expect(existsSync(state) || existsSync(`${out}.partial`)).toBe(false);
  }, 120_000);

  it('refuses data of another shape, a folder as --out, and an unknown extension, with exit code 1 or 2', async () => {
    const shape = vaekit('score', MODEL, '--data', 'csv', '--csv', join(root, 'table.csv'), '--out', join(root, 'x.csv'));
    expect(shape.code).toBe(1);
    expect(shape.stderr).toContain("4 feature column(s) (a, b, c, d); model 'mnist-mlp' takes 784");
    await mkdir(join(root, 'folder.csv'));
    const folder = vaekit('score', MODEL, '--max-rows', '1', '--out', join(root, 'folder.csv'));
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('is a folder');
    expect(vaekit('score', MODEL, '--out', join(root, 'x.txt')).stderr).toContain('must end in .csv, .jsonl or .ndjson');
    expect(vaekit('score', MODEL, '--split', 'validation').code).toBe(2);
  });

  it('holds memory flat as the rows grow: 200 000 CSV rows peak within 50 MB of 20 000', async () => {
    const peak = async (rows: number): Promise<number> => {
      const table = join(root, `rows-${rows}.csv`);
      await writeSeededTable(table, rows);
      const run = vaekit('score', csvModel, '--data', 'csv', '--csv', table, '--k', '1', '--chunk-rows', '1024', '--out', join(root, `rows-${rows}.jsonl`), '--verbose');
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout.trim().split('\n').at(-2)!);
      expect(summary.rows).toBe(rows);
      return summary.maxRssBytes;
    };
    const small = await peak(20_000);
    const large = await peak(200_000);
    expect(large - small).toBeLessThan(50 * 2 ** 20);
  }, 120_000);
});
