import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let root: string;
let run: string;

function vaekit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  root = await mkdtemp(join(tmpdir(), 'vaekit-cli-export-'));
  run = join(root, 'run');
  const trained = vaekit('train', '--backend', 'wasm', '--max-train', '600', '--max-test', '50', '--hidden', '48', '--latent-dim', '3', '--epochs', '1', '--iwae-samples', '4', '--out', run);
  expect(trained.code, trained.stderr).toBe(0);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('vaekit export', () => {
  it('vaekit train exports and verifies the model at the end by default', async () => {
    const manifest = JSON.parse(await readFile(join(run, 'onnx', 'vaekit.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'vaekit/1', latentDim: 3, precision: 'fp32' });
    expect(existsSync(join(run, 'onnx', 'decoder.onnx'))).toBe(true);
  });

  it('exports a run with fp16 weights and prints the verification table', async () => {
    const out = join(root, 'fp16');
    const { code, stdout, stderr } = vaekit('export', run, '--out', out, '--precision', 'fp16');
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/decoder\s+mean\s+50 seeded prior draws\s+\S+\s+\S+ \(\|value\| \S+\)\s+ok/);
    expect(stdout).toContain('fp16 weights against the fp32 model');
    expect(stdout).toContain(`model folder: ${out} (fp16`);
    const manifest = JSON.parse(await readFile(join(out, 'vaekit.json'), 'utf8'));
    expect(manifest.precision).toBe('fp16');
  });

  it('says what is wrong with a folder that is not a run (exit 1)', () => {
    const { code, stderr } = vaekit('export', join(root, 'nothing'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/vaekit: error: 'run' must be a run folder written by `vaekit train`/);
  });
});
