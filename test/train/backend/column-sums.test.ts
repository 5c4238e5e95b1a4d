import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core registers no gradients by itself; tfjs-layers' Node bundle registers all of them.
import '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installColumnSums, leadingAxes } from '../../../src/train/backend/column-sums.js';
import { seeded } from '../../helpers/seeded-tensors.js';

/** tf.sum on wasm with tfjs' kernel, then with vaekit's; values and shapes of both. */
function bothSums(shape: number[], axis: number | number[], keepDims = false) {
  const run = () =>
    tf.tidy(() => {
      const s = tf.sum(seeded(shape, 5), axis, keepDims);
      return { shape: s.shape, values: s.dataSync() as Float32Array };
    });
  const stock = run();
  const fast = installColumnSums();
  try {
    return { stock, vaekit: run() };
  } finally {
    fast.uninstall();
  }
}

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => installColumnSums().uninstall());

describe('Sum over leading axes on wasm', () => {
  const cases: Array<[string, number[], number | number[], boolean?]> = [
    ['conv bias gradient [128, 14, 14, 32] → [32]', [128, 14, 14, 32], [0, 1, 2]],
    ['conv bias gradient [128, 7, 7, 64] → [64]', [128, 7, 7, 64], [0, 1, 2]],
    ['dense bias gradient [128, 3136] → [3136]', [128, 3136], 0],
    ['dense bias gradient [128, 784] → [784], keepDims', [128, 784], [0], true],
    ['columns off the f32x4 width [7, 5] → [5]', [7, 5], 0],
    ['axes given negative: [6, 4, 3] over [0, −2] → [3]', [6, 4, 3], [0, -2]],
    ['axes out of order (tfjs\' kernel): [6, 4, 3] over [1, 0] → [3]', [6, 4, 3], [1, 0]],
    ['one column [300, 1] → [1]', [300, 1], 0],
  ];
  for (const [name, shape, axis, keepDims] of cases) {
    it(`${name} equals tfjs' Sum bit for bit`, () => {
      const { stock, vaekit } = bothSums(shape, axis, keepDims);
      expect(vaekit.shape).toEqual(stock.shape);
      expect(vaekit.values).toEqual(stock.values);
    });
  }

  it('takes exactly the leading axes, and not all of them', () => {
    expect(leadingAxes([128, 14, 14, 32], [0, 1, 2])).toBe(3);
    expect(leadingAxes([6, 4, 3], [0, -2])).toBe(2);
    expect(leadingAxes([6, 4, 3], [1, 0])).toBe(0); // tfjs sums in the order given: other bits
    expect(leadingAxes([128, 784], -2)).toBe(1);
    expect(leadingAxes([128, 784], [0, 1])).toBe(0); // all axes: tfjs' kernel
    expect(leadingAxes([128, 784], 1)).toBe(0); // inner axis: tfjs' kernel needs no transpose
    expect(leadingAxes([128, 14, 14, 32], [0, 2])).toBe(0);
    expect(leadingAxes([128], 0)).toBe(0);
    expect(leadingAxes([128, 784], undefined)).toBe(0);
  });

  it('leaves inner-axis sums, full sums and int32 sums to tfjs (same results)', () => {
    for (const [shape, axis] of [[[16, 9], 1], [[16, 9], [0, 1]]] as const) {
      const { stock, vaekit } = bothSums([...shape], [axis].flat());
      expect(vaekit).toEqual(stock);
    }
    const fast = installColumnSums();
    expect(tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0).arraySync()).toEqual([4, 6]);
    fast.uninstall();
  });

  it('gives a dense layer the same bias gradient through tf.grads, and leaks no heap or buffers', () => {
    const grad = () =>
      tf.tidy(() => {
        const b = seeded([400], 2);
        const [g] = tf.grads((bb: tf.Tensor) => tf.sum(tf.square(tf.add(seeded([128, 400], 1), bb))))([b]);
        return g!.dataSync() as Float32Array;
      });
    const stock = grad();
    const fast = installColumnSums();
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    grad();
    const before = { ids: tf.backend().numDataIds(), heap: heap() };
    for (let i = 0; i < 20; i++) expect(grad()).toEqual(stock);
    expect({ ids: tf.backend().numDataIds(), heap: heap() }).toEqual(before);
    fast.uninstall();
  });
});
