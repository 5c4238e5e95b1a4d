import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
let root: string;

function vaekit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const TINY = ['--backend', 'wasm', '--epochs', '1', '--hidden', '16', '--latent-dim', '2', '--iwae-samples', '4', '--batch-size', '16'];

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  root = await mkdtemp(join(tmpdir(), 'vaekit-cli-data-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('vaekit train on user data', () => {
  it('trains and exports from a PNG folder with labels from sub-folders', async () => {
    const out = join(root, 'png');
    const { code, stderr, stdout } = vaekit('train', '--data', 'png', '--data-dir', join(FIXTURES, 'png-folder/digits'), ...TINY, '--out', out);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('data: png 28×28×1');
    const manifest = JSON.parse(await readFile(join(out, 'onnx/vaekit.json'), 'utf8'));
    expect(manifest.input).toMatchObject({ shape: [28, 28, 1], layout: 'hwc' });
    expect(manifest.training.config.dataOptions.dir).toContain('png-folder/digits');
  });

  it('trains a tabular VAE from a CSV and records the min-max scaling in the manifest', async () => {
    const out = join(root, 'csv');
    const { code, stderr } = vaekit('train', '--data', 'csv', '--csv', join(FIXTURES, 'csv/mnist-digit-stats.csv'), '--label', 'digit', '--likelihood', 'gaussian', '--sigma', '0.1', ...TINY, '--out', out);
    expect(code, stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'onnx/vaekit.json'), 'utf8'));
    expect(manifest.input).toMatchObject({ shape: [6], layout: 'features', range: [0, 1] });
    expect(manifest.input.scaling.kind).toBe('min-max');
    expect(manifest.input.scaling.min).toHaveLength(6);
  });

  it('trains from IDX files (gz and raw)', () => {
    const idx = (f: string) => join(FIXTURES, 'idx', f);
    const { code, stderr } = vaekit(
      'train', '--data', 'idx', '--train-images', idx('images-20-idx3-ubyte.gz'), '--train-labels', idx('labels-20-idx1-ubyte.gz'), '--test-images', idx('images-20-idx3-ubyte'), '--test-labels', idx('labels-20-idx1-ubyte'),
      ...TINY, '--no-export', '--out', join(root, 'idx'),
    );
    expect(code, stderr).toBe(0);
  });

  it('trains a convolutional VAE on wasm (vaekit supplies its Conv2DBackpropFilter kernel) and exports Conv graphs', async () => {
    const out = join(root, 'conv');
    const { code, stderr, stdout } = vaekit(
      'train', '--arch', 'conv', '--backend', 'wasm', '--channels', '4,8', '--hidden', '16', '--latent-dim', '2', '--epochs', '1',
      '--max-train', '256', '--max-test', '32', '--iwae-samples', '2', '--out', out,
    );
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/backend: wasm/);
    const encoder = await readFile(join(out, 'onnx/encoder.onnx'));
    expect(encoder.includes(Buffer.from('Conv'))).toBe(true);
    const metrics = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(Number.isFinite(metrics.at(-1).testNegElbo)).toBe(true);
  });

  it('trains with a learned per-pixel variance (gaussian-learned) and exports mean and logvar_x', async () => {
    const out = join(root, 'learned');
    const { code, stderr } = vaekit('train', '--likelihood', 'gaussian-learned', '--max-train', '600', '--max-test', '40', ...TINY, '--out', out);
    expect(code, stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'onnx/vaekit.json'), 'utf8'));
    expect(manifest.likelihood.kind).toBe('gaussian-learned');
    expect(Object.keys(manifest.graphs.decoder.outputs)).toEqual(['mean', 'logvar_x']);
    const metrics = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(Number.isFinite(metrics.at(-1).testNegElbo)).toBe(true);
  });

  it('trains a conditional VAE (--condition label) whose graphs take c and whose manifest names the classes', async () => {
    const out = join(root, 'cvae');
    const { code, stderr } = vaekit('train', '--condition', 'label', '--max-train', '600', '--max-test', '40', ...TINY, '--out', out);
    expect(code, stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'onnx/vaekit.json'), 'utf8'));
    expect(manifest.condition).toEqual({ classes: 10, labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    expect(Object.keys(manifest.graphs.encoder.inputs)).toEqual(['x', 'c']);
    expect(Object.keys(manifest.graphs.decoder.inputs)).toEqual(['z', 'c']);
    const unlabelled = vaekit('train', '--condition', 'label', '--data', 'csv', '--csv', join(FIXTURES, 'csv/constant.csv'), ...TINY, '--out', join(root, 'u'));
    expect(unlabelled.code).toBe(1);
    expect(unlabelled.stderr).toMatch(/--condition label needs labelled data/);
  });

  it('says what is missing or wrong, with exit code 1', () => {
    const noImages = vaekit('train', '--data', 'idx', ...TINY, '--out', join(root, 'x'));
    expect(noImages.code).toBe(1);
    expect(noImages.stderr).toMatch(/data 'idx' needs --train-images \(training images \(IDX, \.gz or raw\)\); found none/);
    const ragged = vaekit('train', '--data', 'csv', '--csv', join(FIXTURES, 'csv/ragged.csv'), ...TINY, '--out', join(root, 'y'));
    expect(ragged.code).toBe(1);
    expect(ragged.stderr).toMatch(/ragged\.csv row \d+ has \d+ field\(s\) but the header has \d+/);
    const mixed = vaekit('train', '--data', 'png', '--data-dir', join(FIXTURES, 'png-folder/mixed-size'), ...TINY, '--out', join(root, 'z'));
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/14×14/);
  });
});
