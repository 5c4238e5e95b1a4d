import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Vae, parseManifest } from '../../src/node.js';
import { temporaryFolders } from '../helpers/temporary-folders.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));
const folders = temporaryFolders('vaekit-calibrate-');

function vaekit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

/** A copy of the shipped model whose manifest has no calibration record. */
async function uncalibratedCopy(): Promise<string> {
  const dir = join(await folders.folder(), 'model');
  await cp(MODEL, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, 'vaekit.json'), 'utf8'));
  delete manifest.calibration;
  await writeFile(join(dir, 'vaekit.json'), JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
});

describe('vaekit calibrate', () => {
  it('records a valid calibration in vaekit.json; the graphs stay byte for byte and the model loads', async () => {
    const dir = await uncalibratedCopy();
    const before = { encoder: await sha256(join(dir, 'encoder.onnx')), decoder: await sha256(join(dir, 'decoder.onnx')) };
    const { code, stdout, stderr } = vaekit('calibrate', dir, '--data', 'mnist', '--k', '8', '--max', '60', '--seed', '3');
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^wrote .*vaekit\.json: calibration on mnist test split \(60 evenly spaced of 997 rows\), k = 8/);
    expect(stdout).toMatch(/IWAE NLL {2}median \d+\.\d\d {2}99th percentile \d+\.\d\d nats/);
    // Progress goes to stderr.
    expect(stderr).toMatch(/calibrate: IWAE NLL 100% \(480\/480\)/);

    const text = await readFile(join(dir, 'vaekit.json'), 'utf8');
    const manifest = parseManifest(text);
    const c = manifest.calibration!;
    expect(c).toMatchObject({ data: 'mnist test split (60 evenly spaced of 997 rows)', count: 60, k: 8, seed: 3, compressor: 'png-deflate9/fflate-0.8.3' });
    expect(c.quantiles.p).toHaveLength(119);
    expect(c.quantiles.p.slice(0, 3)).toEqual([0, 0.001, 0.002]);
    for (const key of ['negElbo', 'nll', 'negElboComplexity', 'nllComplexity'] as const) expect(c.quantiles[key]).toHaveLength(119);
    // Every other field as it was.
    const { calibration: _c, ...rest } = JSON.parse(text);
    const { calibration: _o, ...original } = JSON.parse(await readFile(join(MODEL, 'vaekit.json'), 'utf8'));
    expect(rest).toEqual(original);
    expect({ encoder: await sha256(join(dir, 'encoder.onnx')), decoder: await sha256(join(dir, 'decoder.onnx')) }).toEqual(before);
    // No temporary file left beside it.
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);

    // Vae.load checks the SHA-256 of both graphs against the rewritten manifest; anomaly works.
    const vae = await Vae.load(dir, { device: 'cpu' });
    try {
      const { mean } = await vae.sample(4, { seed: 1 });
      const result = await vae.anomaly(mean, { k: 8 });
      expect(result.percentile).toHaveLength(4);
    } finally {
      await vae.dispose();
    }
  });

  it('refuses a bad --k and an unknown model, writing nothing', async () => {
    const dir = await uncalibratedCopy();
    const text = await readFile(join(dir, 'vaekit.json'), 'utf8');
    const zero = vaekit('calibrate', dir, '--data', 'mnist', '--k', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/option '--k <n>' argument '0' is invalid\. expected a positive integer/);
    const huge = vaekit('calibrate', dir, '--data', 'mnist', '--k', '2000000');
    expect(huge.code).toBe(1);
    expect(huge.stderr).toBe('vaekit: error: --k must be at most 1000000 (importance samples per example; time grows with k); found 2000000\n');
    expect(await readFile(join(dir, 'vaekit.json'), 'utf8')).toBe(text);
    const missing = vaekit('calibrate', join(dir, 'no-such-model'), '--data', 'mnist');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^vaekit: error: .*no-such-model/);
  });
});
