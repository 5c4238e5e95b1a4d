import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyModel, type TinyOptions } from '../vae/tiny-models.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));
let root: string;

function vaekit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function png(path: string) {
  return PNG.sync.read(await readFile(path));
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  root = await mkdtemp(join(tmpdir(), 'vaekit-cli-model-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('vaekit sample | reconstruct | interpolate | eval', () => {
  it('sample writes a grid of n samples, the same bytes for the same seed', async () => {
    const a = join(root, 'a.png');
    const b = join(root, 'b.png');
    const first = vaekit('sample', MODEL, '--n', '16', '--seed', '4', '--out', a, '--device', 'cpu');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('16 samples (seed 4');
    vaekit('sample', MODEL, '--n', '16', '--seed', '4', '--out', b);
    expect(await readFile(a)).toEqual(await readFile(b));
    const image = await png(a);
    expect(image.width).toBe(4 * 56 + 5 * 2); // 4 columns of 28×2 pixels with 2-pixel padding
  });

  it('reconstruct and interpolate write their grids', async () => {
    const recon = vaekit('reconstruct', MODEL, '--count', '8', '--out', join(root, 'r.png'));
    expect(recon.code, recon.stderr).toBe(0);
    const interp = vaekit('interpolate', MODEL, '--rows', '3', '--steps', '6', '--out', join(root, 'i.png'));
    expect(interp.code, interp.stderr).toBe(0);
    const image = await png(join(root, 'i.png'));
    expect(image.height).toBe(3 * 56 + 4 * 2);
  });

  it('eval prints −ELBO and the importance-sampled NLL close to the model card', async () => {
    const { code, stdout, stderr } = vaekit('eval', MODEL, '--k', '50', '--max', '100', '--json');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ model: 'mnist-mlp', examples: 100, k: 50, provider: 'cpu' });
    expect(result.iwaeNll).toBeLessThan(result.negElbo);
    expect(result.negElbo).toBeGreaterThan(90);
    expect(result.negElbo).toBeLessThan(130);
  });

  it('sample draws a channel-first (chw) model’s RGB images as the channel-last model with its weights', async () => {
    const folder = async (name: string, options: TinyOptions) => {
      const { manifest, encoder, decoder } = await tinyModel(options);
      const dir = join(root, name);
      await mkdir(dir);
      await Promise.all([writeFile(join(dir, 'vaekit.json'), JSON.stringify(manifest)), writeFile(join(dir, 'encoder.onnx'), encoder), writeFile(join(dir, 'decoder.onnx'), decoder)]);
      return dir;
    };
    const [hwc, chw] = [await folder('tiny-hwc', { layout: 'hwc' }), await folder('tiny-chw', { layout: 'chw', batch: 1 })];
    for (const [model, out] of [[hwc, 'hwc.png'], [chw, 'chw.png']] as const) {
      const result = vaekit('sample', model, '--n', '9', '--seed', '3', '--out', join(root, out), '--device', 'cpu');
      expect(result.code, result.stderr).toBe(0);
    }
    const [a, b] = [await png(join(root, 'hwc.png')), await png(join(root, 'chw.png'))];
    expect(a.width).toBe(3 * 3 * 2 + 4 * 2); // 3 columns of 3-pixel-wide images, scaled 2×
    expect(b.data).toEqual(a.data);
  });

  it('says what is wrong with a folder that holds no model (exit 1)', () => {
    const { code, stderr } = vaekit('sample', root);
    expect(code).toBe(1);
    expect(stderr).toMatch(/vaekit: error: .*vaekit\.json/);
  });
});
