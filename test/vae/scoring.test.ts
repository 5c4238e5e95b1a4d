import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { fillStandardNormal } from '../../src/sampler/index.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import { RunningLogSumExp } from '../../src/vae/scoring.js';
import { Vae } from '../../src/vae/vae.js';

const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));
let vae: Vae;
let digits: Float32Array; // test digits 0, 20, 40, … (as in vae.test.ts)

beforeAll(async () => {
  vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu' });
  const mnist = await loadEmbeddedMnist();
  digits = new Float32Array(3 * 784);
  for (let i = 0; i < 3; i++) digits.set(mnist.test.x.subarray(i * 20 * 784, (i * 20 + 1) * 784), i * 784);
});

afterAll(async () => {
  await vae.dispose();
});

const oneShot = (w: Float64Array) => {
  const max = Math.max(...w);
  return max + Math.log(w.reduce((s, v) => s + Math.exp(v - max), 0));
};

describe('RunningLogSumExp', () => {
  it('one chunk is exactly max + log Σ exp(w − max); uneven chunks agree to rounding, even across a spread of 1000 nats', () => {
    const w = Float64Array.from(fillStandardNormal(new Float32Array(1000), { seed: 3 }), (v, i) => 300 * v + (i === 700 ? 1000 : 0));
    const whole = new RunningLogSumExp(1);
    whole.add(w, w.length);
    expect(whole.value(0)).toBe(oneShot(w));
    const chunked = new RunningLogSumExp(1);
    for (const [a, b] of [[0, 1], [1, 333], [333, 700], [700, 701], [701, 1000]] as const) chunked.add(w.slice(a, b), b - a);
    expect(Math.abs(chunked.value(0) - oneShot(w))).toBeLessThan(1e-12 * Math.abs(oneShot(w)));
  });

  it('keeps examples apart and treats weights of −∞ as zero weight', () => {
    const total = new RunningLogSumExp(2);
    total.add(Float64Array.from([-Infinity, -Infinity, 0, Math.log(3)]), 2);
    expect(total.value(0)).toBe(-Infinity);
    total.add(Float64Array.from([Math.log(2), -Infinity, -Infinity, -Infinity]), 2);
    expect(total.value(0)).toBeCloseTo(Math.log(2), 14);
    expect(total.value(1)).toBeCloseTo(Math.log(4), 14);
  });
});

describe('logLikelihood in chunks', () => {
  it('keeps the ε layout: the values computed before chunking existed (seed 1, and seed 2 stream 3 offset 5)', async () => {
    const k200 = await vae.logLikelihood(digits, { k: 200, seed: 1 });
    const before = [-103.53155595475825, -115.05638445557385, -119.77196862360913];
    before.forEach((v, i) => expect(Math.abs(k200.perExample[i]! - v)).toBeLessThan(1e-4));
    const k10000 = await vae.logLikelihood(digits.subarray(0, 2 * 784), { k: 10_000, seed: 2, stream: 3, offset: 5 });
    [-103.28361406060755, -115.0258097957117].forEach((v, i) => expect(Math.abs(k10000.perExample[i]! - v)).toBeLessThan(1e-4));
  });

  it('gives the same values whatever batchSize splits the examples and the k samples', async () => {
    const reference = await vae.logLikelihood(digits, { k: 500, seed: 4 });
    for (const batchSize of [1000, 100, 7]) {
      const chunked = await vae.logLikelihood(digits, { k: 500, seed: 4, batchSize });
      chunked.perExample.forEach((v, i) => expect(Math.abs(v - reference.perExample[i]!)).toBeLessThan(1e-9));
    }
  });

  it('reports progress in (example, sample) pairs after each chunk, also inside one example', async () => {
    const twoPerChunk: number[] = [];
    await vae.logLikelihood(digits, { k: 500, batchSize: 1000, onProgress: (done, total) => twoPerChunk.push(done / total) });
    expect(twoPerChunk).toEqual([1000 / 1500, 1]);
    const slices: [number, number][] = [];
    await vae.logLikelihood(digits.subarray(0, 784), { k: 5000, onProgress: (done, total) => slices.push([done, total]) });
    expect(slices).toEqual([[2048, 5000], [4096, 5000], [5000, 5000]]);
  });

  it('elbo is the same in chunks of 2048 examples as one example at a time', async () => {
    const many = new Float32Array(2050 * 784);
    for (let i = 0; i < 2050; i++) many.set(digits.subarray((i % 3) * 784, (i % 3 + 1) * 784), i * 784);
    const all = await vae.elbo(many, { seed: 9 });
    for (const i of [0, 2047, 2048, 2049]) {
      const alone = await vae.elbo(many.subarray(i * 784, (i + 1) * 784), { seed: 9, offset: i * 20 });
      expect(all.perExample[i]).toBe(alone.perExample[0]);
      expect(all.kl[i]).toBe(alone.kl[0]);
    }
  });
});
