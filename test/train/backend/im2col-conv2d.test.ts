import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core registers no gradients by itself; tfjs-layers' Node bundle registers all of them.
import '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installConv2DBackpropFilter } from '../../../src/train/backend/conv2d-backprop-filter.js';
import { installConv2DBackpropInput } from '../../../src/train/backend/conv2d-backprop-input.js';
import { im2colPlan, installIm2colConv2D } from '../../../src/train/backend/im2col-conv2d.js';
import { relativeError } from '../../helpers/relative-error.js';
import { seeded } from '../../helpers/seeded-tensors.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  name: string;
  x: number[];
  filter: number[];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
}

const CASES: Case[] = [
  { name: 'conv VAE encoder conv 14→7, 32→64 channels', x: [128, 14, 14, 32], filter: [3, 3, 32, 64], strides: 2, pad: 'same' },
  { name: "conv VAE Conv2DBackpropInput's phase conv", x: [128, 7, 7, 64], filter: [2, 2, 64, 64], strides: 1, pad: [[0, 0], [1, 0], [1, 0], [0, 0]] },
  { name: "conv VAE Conv2DBackpropFilter's dilated taps conv", x: [32, 14, 14, 128], filter: [7, 7, 128, 64], strides: 1, pad: [[0, 0], [0, 1], [0, 1], [0, 0]], dilations: 2 },
  { name: 'valid padding, strides 2×3, odd sizes', x: [3, 13, 17, 5], filter: [4, 2, 5, 9], strides: [2, 3], pad: 'valid' },
  { name: "'same' with dilation 2×1", x: [2, 10, 11, 6], filter: [3, 2, 6, 12], strides: 1, pad: 'same', dilations: [2, 1] },
  { name: "'same' with stride 3", x: [2, 10, 11, 6], filter: [3, 3, 6, 12], strides: 3, pad: 'same' },
  { name: '1×1 stride 1 (x is its own patch matrix)', x: [4, 6, 6, 16], filter: [1, 1, 16, 24], strides: 1, pad: 'valid' },
];

function conv(c: Case, fast: boolean): Float32Array {
  const handle = fast ? installIm2colConv2D() : null;
  try {
    const y = tf.tidy(() => tf.conv2d(seeded(c.x, 1) as tf.Tensor4D, seeded(c.filter, 2) as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations ?? 1));
    const values = y.dataSync() as Float32Array;
    y.dispose();
    return values;
  } finally {
    handle?.uninstall();
  }
}

beforeAll(async () => {
  for (const name of ['cpu', 'wasm'] as const) expect(await tf.setBackend(name)).toBe(true);
  installConv2DBackpropFilter();
  installConv2DBackpropInput();
});

afterEach(async () => {
  installIm2colConv2D().uninstall();
  await tf.setBackend('wasm');
});

describe('Conv2D on wasm as im2col + vaekit product', () => {
  for (const c of CASES) {
    it(`${c.name}: equals XNNPACK's convolution bit for bit, and cpu's to 1e-5`, async () => {
      await tf.setBackend('wasm');
      expect(im2colPlan({ x: info(c.x), filter: info(c.filter) }, { strides: c.strides, pad: c.pad, dilations: c.dilations ?? 1 })).not.toBeNull();
      const stock = conv(c, false);
      const mine = conv(c, true);
      expect(mine).toEqual(stock);
      await tf.setBackend('cpu');
      expect(relativeError(mine, conv(c, false))).toBeLessThan(1e-5);
    });
  }

  it('leaves to XNNPACK: under 4 input or 8 output channels, NCHW, int32, too small', () => {
    const attrs = { strides: 1, pad: 'same' };
    expect(im2colPlan({ x: info([128, 28, 28, 1]), filter: info([3, 3, 1, 32]) }, attrs)).toBeNull();
    expect(im2colPlan({ x: info([128, 14, 14, 32]), filter: info([3, 3, 32, 2]) }, attrs)).toBeNull();
    expect(im2colPlan({ x: info([128, 14, 14, 32]), filter: info([3, 3, 32, 64]) }, { ...attrs, dataFormat: 'NCHW' })).toBeNull();
    expect(im2colPlan({ x: info([128, 14, 14, 32], 'int32'), filter: info([3, 3, 32, 64], 'int32') }, attrs)).toBeNull();
    expect(im2colPlan({ x: info([1, 2, 2, 4]), filter: info([1, 1, 4, 8]) }, attrs)).toBeNull();
  });

  it("gives a conv layer's gradients (its Conv2DBackpropFilter and Conv2DBackpropInput run Conv2D) the same bits, and leaks nothing", async () => {
    await tf.setBackend('wasm');
    const grads = () =>
      tf.tidy(() => {
        const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')));
        return tf.grads(f)([seeded([16, 14, 14, 32], 3), seeded([3, 3, 32, 64], 4)]);
      });
    const read = (list: tf.Tensor[]) => {
      const values = list.map((t) => t.dataSync() as Float32Array);
      tf.dispose(list);
      return values;
    };
    const stock = read(grads());
    const fast = installIm2colConv2D();
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    read(grads());
    const before = { ids: tf.backend().numDataIds(), heap: heap() };
    for (let i = 0; i < 5; i++) expect(read(grads())).toEqual(stock);
    expect({ ids: tf.backend().numDataIds(), heap: heap() }).toEqual(before);
    fast.uninstall();
  });
});

function info(shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
  return { dataId: {}, shape, dtype };
}
