import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core registers no gradients by itself; tfjs-layers' Node bundle registers all of them.
import '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  conv2DBackpropFilter,
  installConv2DBackpropFilter,
  isConv2DBackpropFilterInstalled,
  usesPatches,
} from '../../../src/train/backend/conv2d-backprop-filter.js';
import { installFastTransposedMatMul } from '../../../src/train/backend/fast-transposed-matmul.js';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { buildVae } from '../../../src/train/model/build.js';
import { relativeError } from '../../helpers/relative-error.js';
import { seeded } from '../../helpers/seeded-tensors.js';
import { thrown } from '../../helpers/thrown.js';

type Backend = 'wasm' | 'cpu';

/**
 * Runs `build` on `backend` (wasm with vaekit's kernels) and returns the outputs' values. Tensors
 * belong to one backend, so `build` creates its inputs itself, and everything is read back and
 * disposed before the backend changes.
 */
async function compute(backend: Backend, build: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(build);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return values;
}

async function expectWasmMatchesCpu(build: () => tf.Tensor | tf.Tensor[], tolerance = 1e-4): Promise<void> {
  const wasm = await compute('wasm', build);
  const cpu = await compute('cpu', build);
  expect(wasm.length).toBe(cpu.length);
  wasm.forEach((values, i) => {
    expect(values.every(Number.isFinite)).toBe(true);
    expect(relativeError(values, cpu[i]!), `output ${i}`).toBeLessThan(tolerance);
  });
}

interface Case {
  name: string;
  /** x's shape in `dataFormat` (NHWC by default). */
  x: [number, number, number, number];
  kernel: [number, number];
  outChannels: number;
  strides: number | [number, number];
  pad: tf.Conv2DBackpropFilterAttrs['pad'];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The conv output's shape, to draw dy from (tfjs' own shape arithmetic). */
function dyShape(c: Case): number[] {
  const channelsLast = c.dataFormat !== 'NCHW';
  const inChannels = channelsLast ? c.x[3] : c.x[1];
  const info = tf.backend_util.computeConv2DInfo(
    c.x, [...c.kernel, inChannels, c.outChannels], c.strides, 1, c.pad, c.dimRoundingMode, false,
    channelsLast ? 'channelsLast' : 'channelsFirst',
  );
  return info.outShape;
}

function backpropFilter(c: Case, seed: number): tf.Tensor {
  const inChannels = c.dataFormat === 'NCHW' ? c.x[1] : c.x[3];
  const attrs: tf.Conv2DBackpropFilterAttrs = {
    strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dimRoundingMode: c.dimRoundingMode,
    filterShape: [...c.kernel, inChannels, c.outChannels],
  };
  return tf.engine().runKernel(
    tf.Conv2DBackpropFilter,
    { x: seeded(c.x, seed), dy: seeded(dyShape(c), seed + 1) },
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor;
}

const CASES: Case[] = [
  // The conv VAE's layers at batch 7: encoder 28→14→7, and the decoder's Conv2DTranspose, whose
  // filter gradient has x = the upstream gradient and dy = the layer's input.
  { name: 'encoder conv 28→14, 1→32 channels', x: [7, 28, 28, 1], kernel: [3, 3], outChannels: 32, strides: 2, pad: 'same' },
  { name: 'encoder conv 14→7, 32→32 channels', x: [7, 14, 14, 32], kernel: [3, 3], outChannels: 32, strides: 2, pad: 'same' },
  { name: 'decoder deconv 7→14 (x = gradient [14, 14, 3], dy = input [7, 7, 32])', x: [7, 14, 14, 3], kernel: [3, 3], outChannels: 32, strides: 2, pad: 'same' },
  { name: 'odd size 7→4, batch 1', x: [1, 7, 7, 3], kernel: [3, 3], outChannels: 32, strides: 2, pad: 'same' },
  { name: 'stride 1 same, kernel 5', x: [7, 9, 9, 3], kernel: [5, 5], outChannels: 3, strides: 1, pad: 'same' },
  { name: 'stride 1 valid, kernel 4', x: [1, 10, 10, 32], kernel: [4, 4], outChannels: 1, strides: 1, pad: 'valid' },
  { name: 'stride 2 same, kernel 4 (padding 1 before, 1 after)', x: [7, 28, 28, 1], kernel: [4, 4], outChannels: 3, strides: 2, pad: 'same' },
  { name: 'stride 2 valid, rows no tap reaches (8 → 3)', x: [3, 8, 8, 3], kernel: [3, 3], outChannels: 3, strides: 2, pad: 'valid' },
  { name: 'stride 2 valid, kernel 5, 9 × 11', x: [2, 9, 11, 3], kernel: [5, 5], outChannels: 1, strides: 2, pad: 'valid' },
  { name: 'stride 2 same, kernel 5, 9 × 11', x: [2, 9, 11, 3], kernel: [5, 5], outChannels: 32, strides: 2, pad: 'same' },
  { name: 'kernel 3 × 5, strides [1, 2]', x: [2, 9, 10, 3], kernel: [3, 5], outChannels: 3, strides: [1, 2], pad: 'same' },
  { name: 'explicit padding', x: [2, 9, 9, 3], kernel: [4, 4], outChannels: 3, strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { name: 'numeric padding, rounding up: taps past the padding', x: [2, 6, 6, 3], kernel: [3, 3], outChannels: 3, strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { name: 'NCHW (wasm Conv2DTranspose accepts it)', x: [2, 3, 9, 9], kernel: [3, 3], outChannels: 4, strides: 2, pad: 'same', dataFormat: 'NCHW' },
  // The patch path (KH·KW·Ci ≤ Co), beside the VAE's 28→14 layer above.
  { name: 'patches: stride 2 valid, rows no tap reaches (8 → 3), 1→9 channels', x: [3, 8, 8, 1], kernel: [3, 3], outChannels: 9, strides: 2, pad: 'valid' },
  { name: 'patches: kernel 2 × 3, strides [1, 2], explicit padding, 2→16 channels', x: [2, 9, 10, 2], kernel: [2, 3], outChannels: 16, strides: [1, 2], pad: [[0, 0], [1, 0], [0, 2], [0, 0]] },
  { name: 'patches: numeric padding, rounding up, 1→12 channels', x: [2, 6, 6, 1], kernel: [3, 3], outChannels: 12, strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { name: 'patches: the decoder output deconv at batch 128 (x = gradient [28, 28, 1], dy = input [14, 14, 32])', x: [128, 28, 28, 1], kernel: [3, 3], outChannels: 32, strides: 2, pad: 'same' },
];

beforeAll(async () => {
  installConv2DBackpropFilter();
  for (const name of ['cpu', 'wasm'] as const) {
    expect(await tf.setBackend(name)).toBe(true);
    await tf.ready();
  }
});

afterEach(async () => {
  // The tests run with the kernels select-backend installs; an install test may have removed them.
  installConv2DBackpropFilter();
  installFastTransposedMatMul();
  await tf.setBackend('wasm');
});

describe('Conv2DBackpropFilter on wasm: results', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s matches the cpu kernel', async (_name, c, i) => {
    await expectWasmMatchesCpu(() => backpropFilter(c, 10 * i + 1));
  });

  it('gradients of a tiny conv VAE built from tf ops (fused conv2d, conv2dTranspose) match cpu', async () => {
    const build = () => {
      const x = tf.sigmoid(seeded([5, 28, 28, 1], 100)) as tf.Tensor4D;
      const params = [
        seeded([3, 3, 1, 4], 101), seeded([4], 102), // encoder conv 28→14
        seeded([3, 3, 4, 8], 103), seeded([8], 104), // encoder conv 14→7
        seeded([7 * 7 * 8, 6], 105), seeded([6, 7 * 7 * 8], 106), // dense bottleneck and back
        seeded([3, 3, 4, 8], 107), seeded([4], 108), // decoder deconv 7→14 (filter [kh, kw, out, in])
        seeded([3, 3, 1, 4], 109), // decoder output deconv 14→28
      ];
      const loss = (...p: tf.Tensor[]) => {
        const [w1, b1, w2, b2, we, wd, w3, b3, w4] = p as [tf.Tensor4D, tf.Tensor, tf.Tensor4D, tf.Tensor, tf.Tensor2D, tf.Tensor2D, tf.Tensor4D, tf.Tensor, tf.Tensor4D];
        let h = tf.fused.conv2d({ x, filter: w1, strides: 2, pad: 'same', bias: b1, activation: 'relu' });
        h = tf.fused.conv2d({ x: h, filter: w2, strides: 2, pad: 'same', bias: b2, activation: 'relu' });
        const z = tf.matMul(tf.reshape(h, [5, 7 * 7 * 8]), we);
        let g = tf.relu(tf.reshape(tf.matMul(z, wd), [5, 7, 7, 8])) as tf.Tensor4D;
        g = tf.relu(tf.add(tf.conv2dTranspose(g, w3, [5, 14, 14, 4], 2, 'same'), b3)) as tf.Tensor4D;
        const logits = tf.conv2dTranspose(g, w4, [5, 28, 28, 1], 2, 'same');
        return tf.losses.sigmoidCrossEntropy(x, logits) as tf.Scalar;
      };
      return tf.grads(loss)(params);
    };
    await expectWasmMatchesCpu(build);
  });

  it("gradients of vaekit's conv VAE (tfjs-layers Conv2D and Conv2DTranspose) match cpu", async () => {
    const arch = { arch: 'conv' as const, channels: [4, 8], hidden: [16], latentDim: 2, stride: 2, activation: 'relu' as const };
    const options = { inputShape: [28, 28, 1], likelihood: { kind: 'bernoulli' as const }, valueRange: [0, 1] as [number, number], seed: 3 };
    const build = () => {
      const { encoder, decoder } = buildVae(arch, options);
      const x = tf.sigmoid(seeded([3, 28, 28, 1], 200));
      const weights = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => {
        const [mu, logvar] = encoder.apply(x, { training: true }) as tf.Tensor[];
        const [logits] = decoder.apply(tf.add(mu!, tf.exp(logvar!)), { training: true }) as tf.Tensor[];
        return tf.losses.sigmoidCrossEntropy(x, logits!) as tf.Scalar;
      }, weights);
      const values = weights.map((w) => tf.clone(grads[w.name]!));
      tf.dispose(Object.values(grads));
      encoder.dispose();
      decoder.dispose();
      return values;
    };
    await expectWasmMatchesCpu(build);
  });
});

describe('Conv2DBackpropFilter on wasm: paths', () => {
  it('takes the patch path when a patch is no wider than the output channels, NHWC only', () => {
    expect(usesPatches([3, 3, 1, 32], true)).toBe(true); // the conv VAE's first and last layer
    expect(usesPatches([3, 3, 1, 9], true)).toBe(true);
    expect(usesPatches([3, 3, 32, 64], true)).toBe(false);
    expect(usesPatches([3, 3, 1, 32], false)).toBe(false);
  });
});

describe('Conv2DBackpropFilter on wasm: arguments', () => {
  const base: Case = { name: 'base', x: [2, 8, 8, 3], kernel: [3, 3], outChannels: 4, strides: 2, pad: 'same' };

  it("refuses a dy whose shape is not the conv output's, naming the argument", () => {
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };
    const run = (x: tf.Tensor, dy: tf.Tensor) => () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs);
    tf.tidy(() => {
      expect(run(seeded([2, 8, 8, 3], 1), seeded([2, 3, 3, 4], 2))).toThrow(/'dy.shape' must be \[2, 4, 4, 4\] \(the conv output\); found \[2,3,3,4\]/);
      expect(run(seeded([2, 8, 8, 3], 1), seeded([2, 4, 4, 5], 2))).toThrow(/'dy.shape' must be \[2, 4, 4, 4\]/);
    });
  });

  it('refuses non-float32 inputs and a wrong filterShape, naming the argument', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.ones(base.x, 'int32');
    const dy = tf.ones(dyShape(base));
    try {
      const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] } as tf.NamedAttrMap;
      expect(() => conv2DBackpropFilter({ inputs: { x, dy }, backend, attrs })).toThrow(/'x.dtype' must be float32; found "int32"/);
      const xf = tf.cast(x, 'float32');
      expect(() => conv2DBackpropFilter({ inputs: { x: xf, dy }, backend, attrs: { ...attrs, filterShape: [3, 3, 4] } })).toThrow(
        /'filterShape' must be \[KH, KW, Ci, Co\]; found \[3,3,4\]/,
      );
      xf.dispose();
    } finally {
      tf.dispose([x, dy]);
    }
  });
});

describe('installConv2DBackpropFilter', () => {
  it('registers the kernel once, and uninstall removes it', async () => {
    expect(isConv2DBackpropFilterInstalled()).toBe(true); // from beforeAll/afterEach
    const first = installConv2DBackpropFilter();
    expect(installConv2DBackpropFilter()).toBe(first);
    expect(first.installed).toBe(true);
    first.uninstall();
    first.uninstall();
    expect(isConv2DBackpropFilterInstalled()).toBe(false);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
    // What tfjs says without the kernel: the reason vaekit needs it.
    await tf.setBackend('wasm');
    expect(() => tf.tidy(() => backpropFilter(CASES[0]!, 1))).toThrow(/Conv2DBackpropFilter/);
    const second = installConv2DBackpropFilter();
    expect(second).not.toBe(first);
    first.uninstall(); // a stale handle changes nothing
    expect(isConv2DBackpropFilterInstalled()).toBe(true);
  });

  it("is installed by selectBackend('wasm')", async () => {
    installConv2DBackpropFilter().uninstall();
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(isConv2DBackpropFilterInstalled()).toBe(true);
  });

  it('leaves a Conv2DBackpropFilter kernel that wasm already has in place', () => {
    installConv2DBackpropFilter().uninstall();
    const native: tf.KernelConfig = { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: () => ({ dataId: {}, shape: [], dtype: 'float32' }) };
    tf.registerKernel(native);
    try {
      const handle = installConv2DBackpropFilter();
      expect(handle.installed).toBe(false);
      expect(isConv2DBackpropFilterInstalled()).toBe(false);
      handle.uninstall();
      expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBe(native);
    } finally {
      tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
    }
  });

  it('throws VaekitError backend-unavailable when a wasm kernel it needs is missing', () => {
    installConv2DBackpropFilter().uninstall();
    const conv2d = tf.getKernel(tf.Conv2D, 'wasm');
    tf.unregisterKernel(tf.Conv2D, 'wasm');
    try {
      const caught = thrown(() => installConv2DBackpropFilter());
      expect(caught.code).toBe('backend-unavailable');
      expect(caught.message).toMatch(/Conv2D kernel, which is not registered; import '@tensorflow\/tfjs-backend-wasm'/);
      expect(isConv2DBackpropFilterInstalled()).toBe(false);
    } finally {
      tf.registerKernel(conv2d);
    }
  });
});

describe('Conv2DBackpropFilter on wasm: memory', () => {
  it('leaks no tensors, backend buffers or wasm heap over many calls, also under tf.grads', async () => {
    await tf.setBackend('wasm');
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const snapshot = () => ({ numTensors: tf.memory().numTensors, backendDataIds: tf.backend().numDataIds() });
    const x = seeded([8, 14, 14, 16], 1) as tf.Tensor4D;
    const w = seeded([3, 3, 16, 32], 2) as tf.Tensor4D;
    const round = () => {
      tf.tidy(() => {
        backpropFilter(CASES[1]!, 3); // inputs and result are freed by tidy
        backpropFilter(CASES[7]!, 4); // the cropping path
      });
      const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'))))([x, w]);
      tf.dispose(grads);
    };
    round();
    const before = snapshot();
    const heapBefore = heap();
    // Each call hands Conv2D a new filter, and Conv2D caches an XNNPACK operator with a packed copy
    // of it: if freeing the filter did not drop that, 60 rounds would grow the heap by megabytes.
    for (let i = 0; i < 60; i++) round();
    expect(snapshot()).toEqual(before);
    expect(heap()).toBe(heapBefore);
    tf.dispose([x, w]);
  });
});
