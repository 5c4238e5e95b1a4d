/**
 * `vaekit import` as a user runs it (the built CLI): the transcript of what it read and checked, the
 * model folder it writes and that loads, nothing written when a check fails or a decision is
 * missing, and a foreign --out refused before any work.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Vae } from '../../src/node.js';
import { temporaryFolders } from '../helpers/temporary-folders.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/pytorch-import/', import.meta.url));
const temporary = temporaryFolders('vaekit-import-');

function vaekit(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}
const fixture = (name: string) => ['--encoder', join(FIXTURES, name, 'encoder.onnx'), '--decoder', join(FIXTURES, name, 'decoder.onnx')];

describe('vaekit import', () => {
  it('imports the PyTorch conv VAE (NCHW, logits only) with its reference, prints what it decided and checked, and writes a loadable folder', async () => {
    const out = join(await temporary.folder(), 'conv');
    const r = vaekit('import', ...fixture('conv-nchw-logits'), '--reference', join(FIXTURES, 'conv-nchw-logits/reference'), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("input                    'x' [1, 28, 28], layout chw  (graph)");
    expect(r.stdout).toMatch(/decoder logits +'logits' \(computed by ConvTranspose, not a Sigmoid: logits; the SDK derives the mean\)/);
    expect(r.stdout).toMatch(/decoder +output 'logits' vs reference\/decoder\/logits\.npy \(8 rows\) +max \|diff\| \S+, worst\/tolerance \S+ +ok/);
    expect(r.stdout).toContain(`model folder: ${out}`);
    const manifest = JSON.parse(readFileSync(join(out, 'vaekit.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'conv', input: { layout: 'chw', shape: [1, 28, 28] }, graphs: { decoder: { outputs: { logits: 'logits' } } } });
    const vae = await Vae.load(out);
    expect((await vae.sample(2, { seed: 1 })).mean.shape).toEqual([2, 1, 28, 28]);
    await vae.dispose();
  });

  it('asks for --mu and --logvar when the output names do not say, and writes nothing', async () => {
    const out = join(await temporary.folder(), 'pt');
    const folder = fileURLToPath(new URL('../fixtures/pytorch-vae/', import.meta.url));
    const r = vaekit('import', '--encoder', join(folder, 'encoder.onnx'), '--decoder', join(folder, 'decoder.onnx'), '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      "vaekit: error: cannot tell which encoder output is μ and which is log σ² (outputs: 'fc21_out' [N, 8], 'fc22_out' [N, 8]): pass --mu and --logvar with the output names",
    );
    expect(existsSync(out)).toBe(false);
    const ok = vaekit('import', '--encoder', join(folder, 'encoder.onnx'), '--decoder', join(folder, 'decoder.onnx'), '--out', out, '--mu', 'fc21_out', '--logvar', 'fc22_out');
    expect(ok.status, ok.stderr).toBe(0);
  });

  it('prints the failed comparison and writes nothing when the graphs do not reproduce the reference', async () => {
    const dir = await temporary.folder();
    const reference = join(dir, 'reference');
    cpSync(join(FIXTURES, 'mlp-fixed-batch/reference'), reference, { recursive: true });
    // The same header and shape, every value off by 0.01: what a graph that is not the author's gives.
    const file = join(reference, 'decoder/recon.npy');
    const bytes = readFileSync(file);
    const headerEnd = bytes.indexOf(0x0a) + 1;
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + headerEnd, bytes.byteOffset + bytes.length));
    writeFileSync(file, Buffer.concat([bytes.subarray(0, headerEnd), Buffer.from(Float32Array.from(values, (v) => v + 0.01).buffer)]));
    const out = join(dir, 'model');
    const r = vaekit('import', ...fixture('mlp-fixed-batch'), '--reference', reference, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/decoder +output 'recon' vs reference\/decoder\/recon\.npy \(8 rows\) +max \|diff\| 1\.00e-2, .* FAILED/);
    expect(r.stderr).toMatch(/^vaekit: error: the import failed 2 check\(s\) .*nothing was written\n$/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an --out that holds files vaekit did not write, before reading the graphs', async () => {
    const out = await temporary.folder();
    mkdirSync(join(out, 'thesis'), { recursive: true });
    writeFileSync(join(out, 'thesis/chapter1.tex'), 'mine');
    const r = vaekit('import', ...fixture('mlp-extra-output'), '--out', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refus|not written by vaekit|--force/i);
    expect(readFileSync(join(out, 'thesis/chapter1.tex'), 'utf8')).toBe('mine');
  });
});
