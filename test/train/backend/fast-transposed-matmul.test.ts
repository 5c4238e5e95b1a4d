import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core registers no gradients by itself; tfjs-layers' Node bundle registers all of them.
import '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  MIN_MULTIPLY_ADDS,
  MIN_OUTPUT_ROWS,
  installFastTransposedMatMul,
  isFastTransposedMatMulInstalled,
  shouldMaterializeTranspose,
  swapsOperands,
} from '../../../src/train/backend/fast-transposed-matmul.js';
import { useCpuAndWasm } from '../../helpers/cpu-and-wasm.js';
import { relativeError } from '../../helpers/relative-error.js';
import { seeded } from '../../helpers/seeded-tensors.js';
import { thrown } from '../../helpers/thrown.js';

type Backend = 'wasm' | 'cpu';
type Mode = 'stock' | 'fixed';

/**
 * Runs `build` on `backend` with the stock or the fixed wasm kernels and returns the outputs'
 * values. Tensors belong to one backend, so `build` creates its inputs itself, and everything is
 * read back and disposed before the backend changes.
 */
async function compute(backend: Backend, mode: Mode, build: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const fix = mode === 'fixed' ? installFastTransposedMatMul() : null;
  try {
    const out = tf.tidy(build);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    return values;
  } finally {
    fix?.uninstall();
  }
}

/** The fixed wasm result equals the stock wasm result (1e-5) and the cpu result (1e-5). */
async function expectFixedMatches(
  build: () => tf.Tensor | tf.Tensor[],
  { againstStock = true }: { againstStock?: boolean } = {},
): Promise<void> {
  const fixed = await compute('wasm', 'fixed', build);
  const cpu = await compute('cpu', 'stock', build);
  expect(fixed.length).toBe(cpu.length);
  fixed.forEach((values, i) => expect(relativeError(values, cpu[i]!)).toBeLessThan(1e-5));
  if (againstStock) {
    const stock = await compute('wasm', 'stock', build);
    fixed.forEach((values, i) => expect(relativeError(values, stock[i]!)).toBeLessThan(1e-5));
  }
}

const TRANSPOSE_COMBOS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

/** Operand shapes such that matMul(a, b, transposeA, transposeB) has shape [m, n]. */
function operandShapes(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean) {
  return { a: transposeA ? [k, m] : [m, k], b: transposeB ? [n, k] : [k, n] };
}

// Leave no installation behind for the next test, even when one fails.
useCpuAndWasm(() => installFastTransposedMatMul().uninstall());

describe('installFastTransposedMatMul: results', () => {
  // m ≥ MIN_OUTPUT_ROWS and k > 48 (several blocks of the stock loop), so the fast path runs.
  it.each(TRANSPOSE_COMBOS)('2D matMul, transposeA=%s transposeB=%s', async (ta, tb) => {
    const shapes = operandShapes(33, 70, 50, ta, tb);
    await expectFixedMatches(() => tf.matMul(seeded(shapes.a, 1), seeded(shapes.b, 2), ta, tb));
  });

  it.each([
    ['encoder dense input gradient dy·Wᵀ', 128, 256, 3136],
    ['decoder projection input gradient dy·Wᵀ', 128, 3136, 256],
  ] as const)('the conv VAE dense gradient %s at batch 128 (run as (W·dyᵀ)ᵀ)', async (_name, m, k, n) => {
    expect(swapsOperands(m, k, n)).toBe(true);
    const shapes = operandShapes(m, k, n, false, true);
    await expectFixedMatches(() => tf.matMul(seeded(shapes.a, 21), seeded(shapes.b, 22), false, true));
  });

  it.each(TRANSPOSE_COMBOS)('2D matMul below the size threshold, transposeA=%s transposeB=%s', async (ta, tb) => {
    const shapes = operandShapes(3, 20, 5, ta, tb);
    await expectFixedMatches(() => tf.matMul(seeded(shapes.a, 3), seeded(shapes.b, 4), ta, tb));
  });

  it.each(TRANSPOSE_COMBOS)('3D batched matMul, transposeA=%s transposeB=%s', async (ta, tb) => {
    const shapes = operandShapes(12, 60, 9, ta, tb);
    await expectFixedMatches(() => tf.matMul(seeded([3, ...shapes.a], 5), seeded([3, ...shapes.b], 6), ta, tb));
  });

  // Batch dims of size 1 (fast path) and broadcast batch dims (stock path).
  const BATCH_CASES: ReadonlyArray<readonly [string, number[], number[]]> = [
    ['[1] × []', [1], []],
    ['[1,1] × [1]', [1, 1], [1]],
    ['[] × [1,1]', [], [1, 1]],
    ['[1] × [4]', [1], [4]],
    ['[4] × []', [4], []],
    ['[2,3] × [1]', [2, 3], [1]],
  ];
  for (const [name, batchA, batchB] of BATCH_CASES) {
    it.each(TRANSPOSE_COMBOS)(`batch dims ${name}, transposeA=%s transposeB=%s`, async (ta, tb) => {
      const shapes = operandShapes(16, 50, 24, ta, tb);
      await expectFixedMatches(() =>
        tf.matMul(seeded([...batchA, ...shapes.a], 7), seeded([...batchB, ...shapes.b], 8), ta, tb),
      );
    });
  }

  // Stock wasm gets a transposed fused matMul with bias or relu wrong (the bias is added once per
  // 48-wide K block, rows > 0 use the last bias entry, relu clamps partial sums), so those results
  // are compared with the cpu backend only.
  for (const activation of ['relu', 'linear'] as const) {
    it.each(TRANSPOSE_COMBOS)(`fused matMul with bias + ${activation}, transposeA=%s transposeB=%s`, async (ta, tb) => {
      const shapes = operandShapes(17, 100, 40, ta, tb);
      await expectFixedMatches(
        () =>
          tf.fused.matMul({
            a: seeded(shapes.a, 9) as tf.Tensor2D,
            b: seeded(shapes.b, 10) as tf.Tensor2D,
            transposeA: ta,
            transposeB: tb,
            bias: seeded([40], 11),
            activation,
          }),
        { againstStock: !ta && !tb },
      );
    });
  }

  it('fused matMul with a transpose, no bias, small output: also rewritten and correct', async () => {
    await expectFixedMatches(
      () =>
        tf.fused.matMul({
          a: seeded([60, 2], 12) as tf.Tensor2D,
          b: seeded([60, 3], 13) as tf.Tensor2D,
          transposeA: true,
          activation: 'relu',
        }),
      { againstStock: false },
    );
  });

  it('gradients of a dense-like fused matMul (tf.grads)', async () => {
    await expectFixedMatches(() => {
      const x = seeded([32, 70], 14);
      const w = seeded([70, 50], 15);
      const bias = seeded([50], 16);
      const upstream = seeded([32, 50], 17);
      const loss = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(
          tf.mul(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: 'relu' }), upstream),
        );
      return tf.grads(loss)([x, w, bias]);
    });
  });

  it('gradients of a two-layer fused MLP (tf.grads)', async () => {
    const build = () => {
      const x = seeded([24, 64], 18);
      const params = [seeded([64, 40], 19), seeded([40], 20), seeded([40, 56], 21), seeded([56], 22)];
      const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
        const h = tf.fused.matMul({ a: x as tf.Tensor2D, b: w1 as tf.Tensor2D, bias: b1, activation: 'relu' });
        const y = tf.fused.matMul({ a: h, b: w2 as tf.Tensor2D, bias: b2 });
        return tf.mean(tf.square(tf.sub(y, 0.5)));
      };
      return tf.grads(loss)(params);
    };
    await expectFixedMatches(build);
  });

  it('non-float32 inputs still go to the original kernel', async () => {
    await tf.setBackend('wasm');
    const fix = installFastTransposedMatMul();
    try {
      const a = tf.ones([16, 16], 'int32');
      expect(() => tf.matMul(a, a, true, false)).toThrow(/float32/);
      a.dispose();
    } finally {
      fix.uninstall();
    }
  });
});

describe('installFastTransposedMatMul: install and uninstall', () => {
  it('is idempotent and restores the original kernel configs', async () => {
    await tf.setBackend('wasm');
    const originalMatMul = tf.getKernel(tf.BatchMatMul, 'wasm');
    const originalFused = tf.getKernel(tf._FusedMatMul, 'wasm');
    expect(isFastTransposedMatMulInstalled()).toBe(false);

    const first = installFastTransposedMatMul();
    const second = installFastTransposedMatMul();
    expect(second).toBe(first);
    expect(isFastTransposedMatMulInstalled()).toBe(true);
    const wrapped = tf.getKernel(tf.BatchMatMul, 'wasm');
    expect(wrapped).not.toBe(originalMatMul);
    expect(wrapped.setupFunc).toBe(originalMatMul.setupFunc);
    expect(tf.getKernel(tf._FusedMatMul, 'wasm')).not.toBe(originalFused);

    first.uninstall();
    expect(isFastTransposedMatMulInstalled()).toBe(false);
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(originalMatMul);
    expect(tf.getKernel(tf._FusedMatMul, 'wasm')).toBe(originalFused);
    second.uninstall();
    first.uninstall();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(originalMatMul);

    // A stale handle must not undo a later installation.
    const third = installFastTransposedMatMul();
    expect(third).not.toBe(first);
    first.uninstall();
    expect(isFastTransposedMatMulInstalled()).toBe(true);
    third.uninstall();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(originalMatMul);
  });

  it('throws VaekitError backend-unavailable when a wasm kernel is missing, changing nothing', () => {
    const transpose = tf.getKernel(tf.Transpose, 'wasm');
    const originalMatMul = tf.getKernel(tf.BatchMatMul, 'wasm');
    tf.unregisterKernel(tf.Transpose, 'wasm');
    try {
      const caught = thrown(() => installFastTransposedMatMul());
      expect(caught.code).toBe('backend-unavailable');
      expect(caught.message).toMatch(/tfjs-backend-wasm/);
      expect(isFastTransposedMatMulInstalled()).toBe(false);
      expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(originalMatMul);
    } finally {
      tf.registerKernel(transpose);
    }
  });
});

describe('installFastTransposedMatMul: memory', () => {
  function memorySnapshot() {
    const { numTensors, numBytes } = tf.memory();
    return { numTensors, numBytes, backendDataIds: tf.backend().numDataIds() };
  }

  it('leaks no tensors or backend buffers over many calls, also under tf.grads', async () => {
    await tf.setBackend('wasm');
    const fix = installFastTransposedMatMul();
    try {
      const x = seeded([32, 70], 30);
      const w = seeded([70, 50], 31);
      const wT = seeded([50, 70], 32);
      const bias = seeded([50], 33);
      const before = memorySnapshot();
      for (let i = 0; i < 50; i++) {
        tf.matMul(x, wT, false, true).dispose();
        tf.matMul(x, x, true, false).dispose();
        tf.matMul(w, x, true, true).dispose();
        tf.fused.matMul({ a: x as tf.Tensor2D, b: wT as tf.Tensor2D, transposeB: true, bias, activation: 'relu' }).dispose();
        tf.tidy(() => {
          tf.matMul(tf.reshape(x, [1, 32, 70]), tf.reshape(wT, [1, 50, 70]), false, true);
          tf.grads((ww: tf.Tensor) => tf.sum(tf.matMul(x, ww, false, true)))([wT]);
        });
        const grads = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: 'relu' })),
        )([x, w, bias]);
        tf.dispose(grads);
      }
      expect(memorySnapshot()).toEqual(before);
      tf.dispose([x, w, wT, bias]);
    } finally {
      fix.uninstall();
    }
  });
});

describe('swapsOperands', () => {
  it('swaps A·Bᵀ when transposing and packing A and the result moves less data than B twice', () => {
    expect(swapsOperands(128, 256, 3136)).toBe(true);
    expect(swapsOperands(128, 784, 400)).toBe(true); // an MLP's 784-400 layer
    expect(swapsOperands(400, 784, 128)).toBe(false);
    expect(swapsOperands(64, 64, 64)).toBe(false);
  });
});

describe('shouldMaterializeTranspose', () => {
  const info = (shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo => ({ dataId: {}, shape, dtype });
  const big = MIN_OUTPUT_ROWS * 4;

  it('rewrites large enough BatchMatMul calls with a transpose and batch size 1', () => {
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([128, 784]), info([400, 784]), false, true)).toBe(true);
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([1, 784, 128]), info([1, 784, 400]), true, false)).toBe(true);
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([1, 1, big, big]), info([big, big]), true, true)).toBe(true);
  });

  it('leaves calls without transposes, batched calls and non-float32 calls alone', () => {
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([big, big]), info([big, big]), false, false)).toBe(false);
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([2, big, big]), info([big, big]), true, false)).toBe(false);
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([big, big]), info([3, big, big]), false, true)).toBe(false);
    expect(shouldMaterializeTranspose(tf._FusedMatMul, info([2, big, big]), info([2, big, big]), false, true)).toBe(false);
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([big, big], 'int32'), info([big, big]), true, false)).toBe(false);
  });

  it('leaves mismatched inner dimensions to the original kernel (its error message)', () => {
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([big, big + 1]), info([big, big]), false, true)).toBe(false);
  });

  it('applies the size threshold to BatchMatMul only', () => {
    const rows = MIN_OUTPUT_ROWS - 1;
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([rows, 784]), info([400, 784]), false, true)).toBe(false);
    expect(shouldMaterializeTranspose(tf.BatchMatMul, info([784, rows]), info([784, 400]), true, false)).toBe(false);
    const k = Math.floor(MIN_MULTIPLY_ADDS / (MIN_OUTPUT_ROWS * MIN_OUTPUT_ROWS)) - 1;
    expect(
      shouldMaterializeTranspose(tf.BatchMatMul, info([MIN_OUTPUT_ROWS, k]), info([MIN_OUTPUT_ROWS, k]), false, true),
    ).toBe(false);
    expect(shouldMaterializeTranspose(tf._FusedMatMul, info([1, rows, 784]), info([1, 400, 784]), false, true)).toBe(true);
  });
});
