import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { klPerDimension, logLikelihood, parseLikelihood } from '../../../src/train/objective/likelihood.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('logLikelihood', () => {
  it('bernoulli from logits equals Σ x·log p + (1−x)·log(1−p)', () => {
    const x = [0, 0.25, 1, 0.9];
    const logits = [-2, 0.5, 3, -0.7];
    const direct = x.reduce((s, xi, i) => {
      const p = 1 / (1 + Math.exp(-logits[i]!));
      return s + xi * Math.log(p) + (1 - xi) * Math.log(1 - p);
    }, 0);
    const value = logLikelihood({ kind: 'bernoulli' }, tf.tensor2d([x]), tf.tensor2d([logits])).dataSync()[0]!;
    expect(value).toBeCloseTo(direct, 5);
  });

  it('bernoulli stays finite for logits where sigmoid saturates', () => {
    const value = logLikelihood({ kind: 'bernoulli' }, tf.tensor2d([[1, 0]]), tf.tensor2d([[-120, 120]])).dataSync()[0]!;
    expect(value).toBeCloseTo(-240, 3);
  });

  it('gaussian with σ equals the normal log density summed over features', () => {
    const sigma = 0.5;
    const x = [0.1, 0.8, 0.4];
    const m = [0.2, 0.5, 0.4];
    const direct = x.reduce(
      (s, xi, i) => s - (xi - m[i]!) ** 2 / (2 * sigma * sigma) - Math.log(sigma * Math.sqrt(2 * Math.PI)),
      0,
    );
    const value = logLikelihood({ kind: 'gaussian', sigma }, tf.tensor2d([x]), tf.tensor2d([m])).dataSync()[0]!;
    expect(value).toBeCloseTo(direct, 5);
  });

  it('broadcasts x over leading Monte Carlo sample axes', () => {
    const x = tf.tensor2d([[1, 0]]);
    const out = tf.tensor3d([[[0, 0]], [[2, -2]]]); // [L=2, N=1, D=2]
    const values = logLikelihood({ kind: 'bernoulli' }, x, out);
    expect(values.shape).toEqual([2, 1]);
    expect(values.dataSync()[0]).toBeCloseTo(2 * Math.log(0.5), 5);
  });
});

describe('klPerDimension', () => {
  it('is ½(μ² + σ² − log σ² − 1) per dimension and zero at the prior', () => {
    const kl = klPerDimension(tf.tensor2d([[0, 1, -0.5]]), tf.tensor2d([[0, 0.3, -1.2]])).dataSync();
    expect(kl[0]).toBeCloseTo(0, 7);
    expect(kl[1]).toBeCloseTo(0.5 * (1 + Math.exp(0.3) - 0.3 - 1), 6);
    expect(kl[2]).toBeCloseTo(0.5 * (0.25 + Math.exp(-1.2) + 1.2 - 1), 6);
  });
});

describe('parseLikelihood', () => {
  it('names the argument and the value it refuses', () => {
    expect(() => parseLikelihood('poisson')).toThrow(/'likelihood' must be one of "bernoulli", "gaussian", "gaussian-learned"; found "poisson"/);
    expect(() => parseLikelihood('gaussian', 0)).toThrow(/'sigma' must be a positive number; found 0/);
  });
});

describe('gaussian-learned', () => {
  it('is −½ Σ [logvar + (x−m)²·exp(−logvar) + log 2π]', () => {
    const x = [0.1, 0.8];
    const m = [0.2, 0.5];
    const lv = [-2, 0.5];
    const direct = x.reduce((s, xi, i) => s - 0.5 * (lv[i]! + (xi - m[i]!) ** 2 * Math.exp(-lv[i]!) + Math.log(2 * Math.PI)), 0);
    const value = logLikelihood({ kind: 'gaussian-learned', logvarFloor: -6 }, tf.tensor2d([x]), tf.tensor2d([m]), tf.tensor2d([lv])).dataSync()[0]!;
    expect(value).toBeCloseTo(direct, 5);
  });
});
