import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core registers no gradients by itself; tfjs-layers' Node bundle registers all of them.
import '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installConv2DBackpropFilter } from '../../../src/train/backend/conv2d-backprop-filter.js';
import {
  conv2DBackpropInput,
  hasScalarLoopKernel,
  installConv2DBackpropInput,
  isConv2DBackpropInputInstalled,
  phasePlan,
} from '../../../src/train/backend/conv2d-backprop-input.js';
import { installFastTransposedMatMul } from '../../../src/train/backend/fast-transposed-matmul.js';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { buildVae } from '../../../src/train/model/build.js';
import { relativeError } from '../../helpers/relative-error.js';
import { seeded } from '../../helpers/seeded-tensors.js';
import { thrown } from '../../helpers/thrown.js';

/** Runs `build` on `backend` and returns the outputs' values; everything is read back and freed. */
async function compute(backend: 'wasm' | 'cpu', build: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(build);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return values;
}

/** `build` on wasm with vaekit's Conv2DBackpropInput, then with the stock one (uninstalled). */
async function vaekitAndStock(build: () => tf.Tensor | tf.Tensor[]): Promise<{ vaekit: Float32Array[]; stock: Float32Array[] }> {
  expect(installConv2DBackpropInput().installed).toBe(true);
  const vaekit = await compute('wasm', build);
  installConv2DBackpropInput().uninstall();
  try {
    return { vaekit, stock: await compute('wasm', build) };
  } finally {
    installConv2DBackpropInput();
  }
}

function expectClose(actual: Float32Array[], expected: Float32Array[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, i) => {
    expect(values.every(Number.isFinite), `output ${i} finite`).toBe(true);
    expect(relativeError(values, expected[i]!), `output ${i}`).toBeLessThan(tolerance);
  });
}

interface Case {
  name: string;
  /** dx's shape [B, H, W, Ci]: the forward conv's input. */
  inputShape: [number, number, number, number];
  kernel: [number, number];
  outChannels: number;
  strides: number | [number, number];
  pad: tf.Conv2DBackpropInputAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function dyShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    c.inputShape, [...c.kernel, c.inputShape[3], c.outChannels], c.strides, 1, c.pad, c.dimRoundingMode,
  );
  return info.outShape;
}

function backpropInput(c: Case, seed: number): tf.Tensor {
  const attrs: tf.Conv2DBackpropInputAttrs = {
    inputShape: c.inputShape, strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode,
  };
  return tf.engine().runKernel(
    tf.Conv2DBackpropInput,
    { dy: seeded(dyShape(c), seed), filter: seeded([...c.kernel, c.inputShape[3], c.outChannels], seed + 1) },
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor;
}

/** mulberry32: the random cases are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function randomCases(count: number, seed: number): Case[] {
  const next = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const cases: Case[] = [];
  while (cases.length < count) {
    const kernel: [number, number] = [int(1, 5), int(1, 5)];
    const strides: [number, number] = [int(1, 3), int(1, 3)];
    const inputShape: [number, number, number, number] = [int(1, 3), int(1, 12), int(1, 12), int(1, 6)];
    const kind = int(0, 2);
    const pad: Case['pad'] =
      kind === 0 ? 'same' : kind === 1 ? 'valid' : [[0, 0], [int(0, 3), int(0, 3)], [int(0, 3), int(0, 3)], [0, 0]];
    const c: Case = { name: '', inputShape, kernel, outChannels: int(1, 6), strides, pad };
    if (dyShape(c).some((d) => d < 1)) continue; // a kernel larger than the padded input
    c.name = `x ${inputShape.join('×')}, kernel ${kernel.join('×')}, strides ${strides.join(',')}, pad ${JSON.stringify(pad)}, Co ${c.outChannels}`;
    cases.push(c);
  }
  return cases;
}

const EDGE_CASES: Case[] = [
  { name: 'stride 1 same, kernel 3 (padding before the first row)', inputShape: [2, 9, 9, 3], kernel: [3, 3], outChannels: 4, strides: 1, pad: 'same' },
  { name: 'stride 2 same, odd size 7 (dy 4 × 4)', inputShape: [2, 7, 7, 3], kernel: [3, 3], outChannels: 5, strides: 2, pad: 'same' },
  { name: 'stride 2 valid: rows no tap reaches (8 → 3)', inputShape: [2, 8, 8, 3], kernel: [3, 3], outChannels: 3, strides: 2, pad: 'valid' },
  { name: 'kernel smaller than the stride (1 × 1, stride 2)', inputShape: [2, 8, 8, 3], kernel: [1, 1], outChannels: 3, strides: 2, pad: 'valid' },
  { name: 'kernel 2, stride 3', inputShape: [2, 9, 10, 2], kernel: [2, 2], outChannels: 3, strides: 3, pad: 'same' },
  { name: 'kernel 5, stride 3, same', inputShape: [2, 11, 11, 2], kernel: [5, 5], outChannels: 3, strides: 3, pad: 'same' },
  { name: 'kernel 3 × 5, strides [1, 2]', inputShape: [2, 9, 10, 3], kernel: [3, 5], outChannels: 3, strides: [1, 2], pad: 'same' },
  { name: 'explicit padding larger than the stride', inputShape: [2, 9, 9, 3], kernel: [5, 5], outChannels: 3, strides: 2, pad: [[0, 0], [4, 1], [3, 0], [0, 0]] },
  { name: 'numeric padding, rounding up', inputShape: [2, 6, 6, 3], kernel: [3, 3], outChannels: 3, strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { name: '1 × 1 input, kernel 3 same', inputShape: [1, 1, 1, 2], kernel: [3, 3], outChannels: 2, strides: 2, pad: 'same' },
];

/** The conv VAE's calls at batch 128: decoder Conv2DTranspose 7→14 (also the encoder's 14→7 input gradient) and 14→28. */
const VAE_CASES: Case[] = [
  { name: 'decoder deconv 7→14, 64→32 channels (and encoder conv 14→7 input gradient)', inputShape: [128, 14, 14, 32], kernel: [3, 3], outChannels: 64, strides: 2, pad: 'same' },
  { name: 'decoder output deconv 14→28, 32→1 channels', inputShape: [128, 28, 28, 1], kernel: [3, 3], outChannels: 32, strides: 2, pad: 'same' },
];

beforeAll(async () => {
  for (const name of ['cpu', 'wasm'] as const) {
    expect(await tf.setBackend(name)).toBe(true);
    await tf.ready();
  }
  installFastTransposedMatMul();
  installConv2DBackpropFilter();
  installConv2DBackpropInput();
});

afterEach(async () => {
  // The tests run with the kernels select-backend installs; an install test may have removed them.
  installConv2DBackpropInput();
  await tf.setBackend('wasm');
});

describe('Conv2DBackpropInput on wasm: results equal the stock kernel', () => {
  it.each(VAE_CASES.map((c, i) => [c.name, c, i] as const))('conv VAE shape: %s', async (_name, c, i) => {
    const { vaekit, stock } = await vaekitAndStock(() => backpropInput(c, 10 * i + 1));
    expectClose(vaekit, stock, 1e-5);
  });

  it.each(EDGE_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const { vaekit, stock } = await vaekitAndStock(() => backpropInput(c, 100 + 10 * i));
    expectClose(vaekit, stock, 1e-5);
  });

  it('60 random shapes, strides and paddings', async () => {
    const cases = randomCases(60, 7);
    const build = () => cases.map((c, i) => backpropInput(c, 1000 + 10 * i));
    const { vaekit, stock } = await vaekitAndStock(build);
    cases.forEach((c, i) => {
      expect(relativeError(vaekit[i]!, stock[i]!), c.name).toBeLessThan(1e-5);
    });
  });

  it('NCHW goes to the stock kernel unchanged', async () => {
    const build = () =>
      tf.engine().runKernel(
        tf.Conv2DBackpropInput,
        { dy: seeded([2, 4, 4, 4], 1), filter: seeded([3, 3, 3, 4], 2) },
        { inputShape: [2, 3, 8, 8], strides: 2, pad: 'same', dataFormat: 'NCHW' } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
    const { vaekit, stock } = await vaekitAndStock(build);
    expect(vaekit[0]).toEqual(stock[0]);
  });
});

describe('Conv2DBackpropInput on wasm: gradients', () => {
  it('gradients through tf.conv2d, tf.fused.conv2d and tf.conv2dTranspose equal the stock kernel and cpu', async () => {
    const build = () => {
      const x = seeded([3, 14, 14, 2], 1) as tf.Tensor4D;
      const params = [seeded([3, 3, 2, 8], 2), seeded([8], 3), seeded([5, 5, 8, 6], 4), seeded([3, 3, 4, 6], 5), seeded([4, 4, 2, 4], 6)];
      const loss = (xx: tf.Tensor, ...p: tf.Tensor[]) => {
        const [w1, b1, w2, w3, w4] = p as [tf.Tensor4D, tf.Tensor, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        let h = tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: w1, strides: 2, pad: 'same', bias: b1, activation: 'relu' }); // 7×7×8
        h = tf.conv2d(h, w2, 1, 'same'); // 7×7×6
        let g = tf.relu(tf.conv2dTranspose(h, w3, [3, 14, 14, 4], 2, 'same')) as tf.Tensor4D; // 14×14×4
        g = tf.conv2dTranspose(g, w4, [3, 28, 28, 2], 2, 'same');
        return tf.sum(tf.square(tf.sub(tf.slice(g, [0, 0, 0, 0], [3, 14, 14, 2]), xx))) as tf.Scalar;
      };
      return tf.grads(loss)([x, ...params]);
    };
    const { vaekit, stock } = await vaekitAndStock(build);
    expectClose(vaekit, stock, 1e-5);
    expectClose(vaekit, await compute('cpu', build), 1e-4);
  });

  it("gradients of vaekit's conv VAE (tfjs-layers Conv2D and Conv2DTranspose) equal the stock kernel and cpu", async () => {
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
    const { vaekit, stock } = await vaekitAndStock(build);
    expectClose(vaekit, stock, 1e-5);
    expectClose(vaekit, await compute('cpu', build), 1e-4);
  });

  it('leaves dilations > 1 to tfjs, which refuses them in conv gradients', async () => {
    await tf.setBackend('wasm');
    const x = seeded([1, 8, 8, 2], 1) as tf.Tensor4D;
    const w = seeded([3, 3, 2, 2], 2) as tf.Tensor4D;
    try {
      expect(() => tf.grads((xx: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, w, 1, 'same', 'NHWC', 2)))([x])).toThrow(
        /dilation rates greater than 1 are not yet supported in gradients/,
      );
    } finally {
      tf.dispose([x, w]);
    }
  });
});

describe('Conv2DBackpropInput on wasm: arguments', () => {
  it("refuses a dy whose shape is not the conv output's, naming the argument (the stock loop reads past it)", async () => {
    await tf.setBackend('wasm');
    const attrs = { inputShape: [2, 8, 8, 3], strides: 2, pad: 'same', dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
    const run = (dy: tf.Tensor, filter: tf.Tensor) => () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs);
    tf.tidy(() => {
      expect(run(seeded([2, 3, 3, 4], 1), seeded([3, 3, 3, 4], 2))).toThrow(/'dy.shape' must be \[2, 4, 4, 4\] \(the conv output\); found \[2,3,3,4\]/);
      expect(run(seeded([2, 4, 4, 4], 1), seeded([3, 3, 5, 4], 2))).toThrow(/'inputShape\[3\]' must be the filter's input channel count 5; found 3/);
      expect(run(seeded([2, 4, 4, 4], 1), seeded([3, 3, 4], 2))).toThrow(/'filter.shape' must be rank 4 \[KH, KW, Ci, Co\]; found \[3,3,4\]/);
    });
    const dy = seeded([2, 4, 4, 4], 1);
    const filter = seeded([3, 3, 3, 4], 2);
    try {
      const caught = thrown(() => conv2DBackpropInput({ inputs: { dy, filter }, backend: tf.backend(), attrs: { ...attrs, inputShape: [2, 8, 8] } }));
      expect(caught.code).toBe('invalid-argument');
      expect(caught.message).toMatch(/'inputShape' must be \[B, H, W, Ci\]; found \[2,8,8\]/);
    } finally {
      tf.dispose([dy, filter]);
    }
  });

  it('plans the phase convolutions of each axis', () => {
    // The conv VAE: 7 → 14, kernel 3, stride 2, 'same' (no padding before): phase 0 has taps 0 and
    // 2, phase 1 tap 1; 7 rows each.
    expect(phasePlan(7, 14, 3, 2, 0)).toEqual({ taps: [2, 1], first: 0, after: 0, rows: 7, cropStart: 0 });
    // Stride 1 'same' kernel 3: the plain flipped correlation, padding 1 on both sides.
    expect(phasePlan(9, 9, 3, 1, 1)).toEqual({ taps: [3], first: 1, after: 1, rows: 9, cropStart: 0 });
    // 'valid' 8 → 3: the last output row, which no tap reaches, comes from padding.
    expect(phasePlan(3, 8, 3, 2, 0)).toEqual({ taps: [2, 1], first: 0, after: 1, rows: 4, cropStart: 0 });
    // Kernel 1, stride 2: phase 1 gets one zero tap.
    expect(phasePlan(4, 8, 1, 2, 0)).toEqual({ taps: [1, 1], first: 0, after: 0, rows: 4, cropStart: 0 });
  });
});

describe('installConv2DBackpropInput', () => {
  it('replaces the stock kernel once, and uninstall puts it back', () => {
    installConv2DBackpropInput().uninstall();
    const stock = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
    const first = installConv2DBackpropInput();
    expect(installConv2DBackpropInput()).toBe(first);
    expect(first.installed).toBe(true);
    expect(isConv2DBackpropInputInstalled()).toBe(true);
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm').kernelFunc).not.toBe(stock.kernelFunc);
    first.uninstall();
    first.uninstall();
    expect(isConv2DBackpropInputInstalled()).toBe(false);
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm').kernelFunc).toBe(stock.kernelFunc);
    const second = installConv2DBackpropInput();
    first.uninstall(); // a stale handle changes nothing
    expect(isConv2DBackpropInputInstalled()).toBe(true);
    second.uninstall();
  });

  it("is installed by selectBackend('wasm')", async () => {
    installConv2DBackpropInput().uninstall();
    expect((await selectBackend('wasm')).name).toBe('wasm');
    expect(isConv2DBackpropInputInstalled()).toBe(true);
  });

  it('is for tfjs-backend-wasm releases up to 4.22, whose kernel is the scalar loop', () => {
    expect(hasScalarLoopKernel('4.22.0')).toBe(true);
    expect(hasScalarLoopKernel('4.2.1')).toBe(true);
    expect(hasScalarLoopKernel('3.21.0')).toBe(true);
    expect(hasScalarLoopKernel('4.23.0')).toBe(false);
    expect(hasScalarLoopKernel('5.0.0')).toBe(false);
  });

  it('throws VaekitError backend-unavailable when a wasm kernel it needs is missing', () => {
    installConv2DBackpropInput().uninstall();
    const conv2d = tf.getKernel(tf.Conv2D, 'wasm');
    tf.unregisterKernel(tf.Conv2D, 'wasm');
    try {
      const caught = thrown(() => installConv2DBackpropInput());
      expect(caught.code).toBe('backend-unavailable');
      expect(caught.message).toMatch(/Conv2D kernel, which is not registered; import '@tensorflow\/tfjs-backend-wasm'/);
      expect(isConv2DBackpropInputInstalled()).toBe(false);
    } finally {
      tf.registerKernel(conv2d);
    }
  });
});

describe('Conv2DBackpropInput on wasm: memory', () => {
  it('leaks no tensors, backend buffers or wasm heap over many calls, also under tf.grads', async () => {
    await tf.setBackend('wasm');
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const snapshot = () => ({ numTensors: tf.memory().numTensors, backendDataIds: tf.backend().numDataIds() });
    const x = seeded([8, 14, 14, 16], 1) as tf.Tensor4D;
    const w = seeded([3, 3, 16, 32], 2) as tf.Tensor4D;
    const round = () => {
      tf.tidy(() => {
        backpropInput(VAE_CASES[1]!, 3); // interleaved phases, no crop
        backpropInput(EDGE_CASES[0]!, 4); // stride 1
        backpropInput(EDGE_CASES[7]!, 5); // the cropping path
      });
      const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'))))([x, w]);
      tf.dispose(grads);
    };
    round();
    const before = snapshot();
    const heapBefore = heap();
    // Each call hands Conv2D a new filter, and Conv2D caches an XNNPACK operator with a packed copy
    // of it: if freeing the filter did not drop that, 40 rounds would grow the heap by megabytes.
    for (let i = 0; i < 40; i++) round();
    expect(snapshot()).toEqual(before);
    expect(heap()).toBe(heapBefore);
    tf.dispose([x, w]);
  });
});
