import { describe, expect, it } from 'vitest';
import { DenseArena } from '../../../src/train/dense/dense-arena.js';
import { reconstructionTerms } from '../../../src/train/dense/likelihood-terms.js';
import { NormalSampler } from '../../../src/sampler/index.js';

/** −log p and its gradient per value in float64, straight from the formulas of docs/math.md. */
function reference(pre: Float32Array, x: Float32Array, n: number, D: number, scale: number) {
  let sum = 0;
  const grad = new Float64Array(pre.length);
  pre.forEach((l, i) => {
    const xv = x[i % (n * D)]!;
    sum += Math.max(l, 0) - l * xv + Math.log1p(Math.exp(-Math.abs(l)));
    grad[i] = (1 / (1 + Math.exp(-l)) - xv) * scale;
  });
  return { sum, grad };
}

describe('reconstructionTerms: the Bernoulli term and its gradient in one pass', () => {
  it.each([
    ['on wasm SIMD, with a tail of n·features mod 4 values per sample', true, 3, 7, 2],
    ['in JavaScript', false, 3, 7, 2],
    ['on wasm SIMD, blocks of a multiple of 4', true, 4, 12, 3],
  ])('matches the float64 formulas %s, for logits from −120 to 120', (_name, simd, n, D, L) => {
    const arena = new DenseArena();
    arena.reserveProducts(8, 8);
    const pre = arena.block(L * n * D);
    const x = arena.block(n * D);
    const normals = new NormalSampler({ seed: 11, stream: 0 }).next(L * n * D + n * D);
    pre.view.forEach((_, i) => (pre.view[i] = i === 0 ? 120 : i === 1 ? -120 : i === 2 ? 0 : normals[i]! * 8));
    x.view.forEach((_, i) => (x.view[i] = Math.abs(normals[L * n * D + i]!) % 1));
    const logits = Float32Array.from(pre.view);
    const scale = 1 / 37;
    const expected = reference(logits, x.view, n, D, scale);
    const sum = reconstructionTerms({ kind: 'bernoulli' }, pre.view, x.view, L * n, n, D, scale, simd ? { kernels: arena.kernels, preAt: pre.at, xAt: x.at } : undefined);
    expect(Math.abs(sum - expected.sum) / expected.sum).toBeLessThan(1e-6);
    pre.view.forEach((g, i) => expect(Math.abs(g - expected.grad[i]!), `value ${i} (logit ${logits[i]})`).toBeLessThan(2e-7 * scale + 1e-7 * Math.abs(expected.grad[i]!)));
  });
});
