/**
 * Every command that reads data takes the same data options as `vaekit train` (one table): eval,
 * reconstruct and interpolate on each data source, against the shipped model.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));
let root: string;
let csv: string;

function vaekit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: root });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  root = await mkdtemp(join(tmpdir(), 'vaekit-data-commands-'));
  // 100 real test digits as a CSV table: 784 pixel columns and the label.
  const mnist = await loadEmbeddedMnist();
  const rows = Array.from({ length: 100 }, (_, i) => i * 9);
  const header = [...Array.from({ length: 784 }, (_, j) => `p${j}`), 'digit'].join(',');
  const lines = rows.map((r) => [...Array.from(mnist.test.x.subarray(r * 784, (r + 1) * 784), (v) => v.toFixed(4)), mnist.test.labels![r]].join(','));
  csv = join(root, 'digits.csv');
  await writeFile(csv, [header, ...lines].join('\n') + '\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const SOURCES: Record<string, () => string[]> = {
  csv: () => ['--data', 'csv', '--csv', csv, '--label', 'digit', '--scaling', 'none', '--test-fraction', '0.3'],
  png: () => ['--data', 'png', '--data-dir', join(FIXTURES, 'png-folder/digits'), '--test-fraction', '0.3', '--split-seed', '4'],
  idx: () => ['--data', 'idx', '--train-images', join(FIXTURES, 'idx/images-20-idx3-ubyte'), '--test-images', join(FIXTURES, 'idx/images-20-idx3-ubyte.gz'), '--train-labels', join(FIXTURES, 'idx/labels-20-idx1-ubyte'), '--test-labels', join(FIXTURES, 'idx/labels-20-idx1-ubyte.gz')],
};

describe.each(Object.keys(SOURCES))('data source %s', (source) => {
  it('vaekit eval scores its test split', () => {
    const { code, stdout, stderr } = vaekit('eval', MODEL, ...SOURCES[source]!(), '--k', '16', '--json');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.data).toBe(source === 'idx' ? 'idx' : 'digits'); // the file or folder's name
    expect(result.examples).toBeGreaterThan(4);
    if (source === 'idx') {
      // The IDX fixture holds Fashion-MNIST garments: far less likely under a digit model.
      expect(result.negElbo).toBeGreaterThan(300);
    } else {
      // Real digits under the shipped model: about 100 nats (the model card's 110.9 is for all 997).
      expect(result.negElbo).toBeGreaterThan(50);
      expect(result.negElbo).toBeLessThan(200);
    }
  });

  it('vaekit reconstruct and interpolate write their PNGs', () => {
    const recon = vaekit('reconstruct', MODEL, ...SOURCES[source]!(), '--count', '4', '--out', `recon-${source}.png`);
    expect(recon.code, recon.stderr).toBe(0);
    expect(recon.stdout).toMatch(new RegExp(`wrote recon-${source}\\.png: 4 test examples`));
    const line = vaekit('interpolate', MODEL, ...SOURCES[source]!(), '--rows', '2', '--steps', '3', '--out', `line-${source}.png`);
    expect(line.code, line.stderr).toBe(0);
    expect(line.stdout).toMatch(/2 interpolations of 3 steps/);
  });
});

describe('data option errors name the flags', () => {
  it.each([
    [['--data', 'csv'], /data 'csv' needs --csv \(the table \(header row required\)\); found none/],
    [['--data', 'png', '--data-dir', 'x', '--columns', 'a'], /--columns applies to data csv; found it with data 'png'/],
    [['--data', 'mnist', '--test-fraction', '0.2'], /--test-fraction applies to data png, csv; found it with data 'mnist'/],
    [['--data', 'csv', '--csv', 'x.csv', '--test-fraction', '1.5'], /--test-fraction <x>' argument '1\.5' is invalid\. expected a number between 0 and 1 \(exclusive\)/],
  ])('%j', (args, message) => {
    for (const command of ['eval', 'reconstruct']) {
      const { code, stderr } = vaekit(command, MODEL, ...args);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});
