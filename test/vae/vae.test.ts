import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { fillStandardNormal } from '../../src/sampler/index.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import type { Dataset } from '../../src/train/data/dataset.js';
import { Vae } from '../../src/vae/vae.js';

const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));
let vae: Vae;
let mnist: Dataset;
let digits: Float32Array; // 50 test digits, 5 of each class

async function code(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e) => e);
  expect(error).toBeInstanceOf(VaekitError);
  return `${(error as VaekitError).code}: ${(error as VaekitError).message}`;
}

beforeAll(async () => {
  vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu' });
  mnist = await loadEmbeddedMnist();
  digits = new Float32Array(50 * 784);
  for (let i = 0; i < 50; i++) digits.set(mnist.test.x.subarray(i * 20 * 784, (i * 20 + 1) * 784), i * 784);
});

afterAll(async () => {
  await vae.dispose();
});

describe('Vae', () => {
  it('loads a model folder and reports shapes and the provider', () => {
    expect(vae.latentDim).toBe(20);
    expect(vae.inputShape).toEqual([28, 28, 1]);
    expect(vae.provider).toEqual({ encoder: 'cpu', decoder: 'cpu' });
  });

  it('encodes real digits to μ and logvar, and samples z with the shared sampler', async () => {
    const { mu, logvar, z } = await vae.encode({ data: digits, shape: [50, 28, 28, 1] }, { sample: true, seed: 5 });
    expect(mu.shape).toEqual([50, 20]);
    expect(logvar.shape).toEqual([50, 20]);
    const eps = fillStandardNormal(new Float32Array(50 * 20), { seed: 5 });
    expect(z!.data[3]).toBe(Math.fround(mu.data[3]! + Math.fround(Math.fround(Math.exp(Math.fround(0.5 * logvar.data[3]!))) * eps[3]!)));
    const again = await vae.encode(digits, { sample: true, seed: 5 });
    expect(again.z!.data).toEqual(z!.data);
  });

  it('reconstructs digits closely (the reconstruction is recognisably the input)', async () => {
    const recon = await vae.reconstruct(digits);
    expect(recon.shape).toEqual([50, 28, 28, 1]);
    let se = 0;
    for (let i = 0; i < digits.length; i++) se += (recon.data[i]! - digits[i]!) ** 2;
    expect(se / digits.length).toBeLessThan(0.02); // mean squared pixel error; blank images score ~0.1
  });

  it('samples the same images for the same seed, and other images for another seed', async () => {
    const a = await vae.sample(8, { seed: 3 });
    const b = await vae.sample(8, { seed: 3 });
    const c = await vae.sample(8, { seed: 4 });
    expect(a.mean.shape).toEqual([8, 28, 28, 1]);
    expect(a.logits!.shape).toEqual([8, 28, 28, 1]);
    expect(b.mean.data).toEqual(a.mean.data);
    expect(c.mean.data).not.toEqual(a.mean.data);
    const cold = await vae.sample(8, { seed: 3, temperature: 0.5 });
    expect(cold.z.data[0]).toBe(Math.fround(0.5 * a.z.data[0]!));
  });

  it('interpolates (lerp and slerp), builds corner grids and traversals', async () => {
    const { mu } = await vae.encode(digits.subarray(0, 2 * 784));
    const a = mu.data.subarray(0, 20);
    const b = mu.data.subarray(20, 40);
    const line = await vae.interpolate(a, b, 7, { method: 'lerp' });
    expect(line.z.shape).toEqual([7, 20]);
    expect(Array.from(line.z.data.subarray(0, 20))).toEqual(Array.from(a));
    expect(Array.from(line.z.data.subarray(6 * 20))).toEqual(Array.from(b));
    const arc = await vae.interpolate(a, b, 7, { method: 'slerp' });
    expect(arc.mean.shape).toEqual([7, 28, 28, 1]);
    const grid = await vae.grid([a, b, b, a], 3, 4);
    expect(grid.z.shape).toEqual([12, 20]);
    const walk = await vae.traverse(a, 2, [-2, 0, 2]);
    expect(walk.z.data[2]).toBe(-2);
    expect(walk.z.data[20 + 2]).toBe(0);
  });

  it('scores data: the importance-sampled log p(x) is tighter than the ELBO and matches the model card', async () => {
    const elbo = await vae.elbo(digits, { seed: 1 });
    const iwae = await vae.logLikelihood(digits, { k: 200, seed: 1 });
    expect(elbo.perExample).toHaveLength(50);
    expect(iwae.mean).toBeGreaterThan(elbo.mean);
    expect(iwae.mean - elbo.mean).toBeLessThan(10);
    // The whole test split, K = 1000, the trainer's ε layout (seed 1, stream 3): the card's figure.
    const manifest = JSON.parse(await readFile(join(MODEL, 'vaekit.json'), 'utf8'));
    const full = await vae.logLikelihood({ data: mnist.test.x, shape: [mnist.test.count, 28, 28, 1] }, { k: 1000, seed: 1, stream: 3 });
    expect(Math.abs(-full.mean - manifest.training.metrics.testIwaeNll)).toBeLessThan(0.3);
  });

  it('accepts nested arrays and ImageData, and refuses bad input with the argument named', async () => {
    const one = Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => [digits[r * 28 + c]!]));
    const nested = await vae.encode(one);
    const flat = await vae.encode(digits.subarray(0, 784));
    expect(Array.from(nested.mu.data)).toEqual(Array.from(flat.mu.data));
    const rgba = new Uint8ClampedArray(28 * 28 * 4);
    for (let p = 0; p < 784; p++) rgba.fill(Math.round(digits[p]! * 255), p * 4, p * 4 + 3);
    const image = await vae.encode({ data: rgba, width: 28, height: 28 });
    expect(Math.abs(image.mu.data[0]! - flat.mu.data[0]!)).toBeLessThan(0.05);

    expect(await code(vae.encode({ data: new Float32Array(100), shape: [1, 10, 10, 1] }))).toMatch(/^shape-mismatch: 'x.shape' must be \[N, 28, 28, 1\]; found \[1, 10, 10, 1\]/);
    expect(await code(vae.encode(new Uint8Array(784) as never))).toMatch(/^dtype-mismatch: 'x' must hold float32 values .* found Uint8Array/);
    const nan = digits.slice(0, 784);
    nan[5] = NaN;
    expect(await code(vae.encode(nan))).toMatch(/^non-finite: 'x' must be finite; found NaN at flat index 5/);
    expect(await code(vae.decode(new Float32Array(20), { c: 3 }))).toMatch(/^condition-mismatch: 'c' must be omitted/);
    expect(await code(vae.encode({ data: rgba, width: 32, height: 32 }))).toMatch(/must be 28×28 pixels .* found 32×32/);
  });

  it('warns about or refuses values outside the trained range', async () => {
    const warnings: string[] = [];
    const strict = await Vae.load(MODEL, { runtime: ortNodeBackend, rangeCheck: 'refuse' });
    const lenient = await Vae.load(MODEL, { runtime: ortNodeBackend, onWarning: (m) => warnings.push(m) });
    const bright = digits.slice(0, 784).map((v) => v * 255);
    expect(await code(strict.encode(bright))).toMatch(/^out-of-range: 'x' has values in \[0, 255\]; model 'mnist-mlp' was trained on \[0, 1\]/);
    await lenient.encode(bright);
    expect(warnings).toHaveLength(1);
    await strict.dispose();
    await lenient.dispose();
  });

  it('refuses use after dispose', async () => {
    const temp = await Vae.load(MODEL, { runtime: ortNodeBackend });
    await temp.dispose();
    expect(await code(temp.sample(1))).toMatch(/^disposed: 'sample' was called on a disposed Vae/);
  });

  it('loads from bytes + manifest, and refuses a graph whose hash differs', async () => {
    const manifest = await readFile(join(MODEL, 'vaekit.json'), 'utf8');
    const encoder = new Uint8Array(await readFile(join(MODEL, 'encoder.onnx')));
    const decoder = new Uint8Array(await readFile(join(MODEL, 'decoder.onnx')));
    const fromBytes = await Vae.load({ manifest, encoder, decoder }, { runtime: ortNodeBackend });
    const { mean } = await fromBytes.sample(2, { seed: 3 });
    expect(mean.data).toEqual((await vae.sample(2, { seed: 3 })).mean.data);
    await fromBytes.dispose();
    const tampered = decoder.slice();
    tampered[tampered.length - 10]! ^= 1;
    expect(await code(Vae.load({ manifest, encoder, decoder: tampered }, { runtime: ortNodeBackend }))).toMatch(/^integrity-mismatch/);
  });
});

describe('Vae.decode options', () => {
  it('meanOnly returns the same means without the logits', async () => {
    const model = await Vae.load(MODEL, { runtime: ortNodeBackend });
    const z = fillStandardNormal(new Float32Array(4 * 20), { seed: 9 });
    const full = await model.decode(z);
    const lean = await model.decode(z, { meanOnly: true });
    expect(lean.logits).toBeUndefined();
    expect(lean.mean.data).toEqual(full.mean.data);
    await model.dispose();
  });
});
