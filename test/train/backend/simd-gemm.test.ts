import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { gemmCall, installFastTransposedMatMul } from '../../../src/train/backend/fast-transposed-matmul.js';
import { heapKernels, type WasmHeapBackend } from '../../../src/train/backend/heap-kernels.js';
import { simdGemm } from '../../../src/train/backend/simd-gemm.js';
import { useCpuAndWasm } from '../../helpers/cpu-and-wasm.js';
import { relativeError } from '../../helpers/relative-error.js';
import { seeded } from '../../helpers/seeded-tensors.js';

interface Case {
  name: string;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  bias: boolean;
  relu: boolean;
}

const dense = (name: string, m: number, k: number, n: number, transposeA = false, transposeB = false, bias = false, relu = false): Case => ({ name, m, k, n, transposeA, transposeB, bias, relu });

/** The products a VAE's dense layers run at batch 128: forward (bias, relu) and both gradients. */
const VAE_CASES: Case[] = [
  dense('MLP encoder forward x·W', 128, 784, 400, false, false, true, true),
  dense('MLP decoder output forward h·W + b', 128, 400, 784, false, false, true),
  dense('MLP latent head h·W + b (N = 20)', 128, 400, 20, false, false, true),
  dense('MLP decoder input gradient dy·Wᵀ', 128, 784, 400, false, true),
  dense('MLP encoder weight gradient xᵀ·dy', 784, 128, 400, true),
  dense('conv VAE dense forward', 128, 3136, 256, false, false, true, true),
  dense('conv VAE dense input gradient dy·Wᵀ', 128, 256, 3136, false, true),
  dense('conv VAE dense weight gradient xᵀ·dy', 3136, 128, 256, true),
];

/** Shapes off the 4-row and 8-column tiles, K = 1, and both operands transposed. */
const EDGE_CASES: Case[] = [
  dense('M, N off the tiles, both transposed, bias, relu', 13, 37, 29, true, true, true, true),
  dense('M = 9 (one row past a 4-row tile pair), N = 7 (under one panel)', 9, 1000, 7, false, false, true),
  dense('K = 1', 64, 1, 200),
  dense('A transposed, N = 3', 250, 50, 3, true, false, true),
];

/** op(A)·op(B) (+ bias, relu) as tfjs computes it on `backend` with its stock kernels, on explicitly transposed operands. */
async function stockProduct(backend: 'wasm' | 'cpu', c: Case): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const { a, b, bias } = operands(c);
    const plainA = c.transposeA ? tf.transpose(a) : a;
    const plainB = c.transposeB ? tf.transpose(b) : b;
    return tf.fused.matMul({ a: plainA, b: plainB, bias, activation: c.relu ? 'relu' : 'linear' }).dataSync() as Float32Array;
  });
}

function operands(c: Case) {
  return {
    a: seeded(c.transposeA ? [c.k, c.m] : [c.m, c.k], 1) as tf.Tensor2D,
    b: seeded(c.transposeB ? [c.n, c.k] : [c.k, c.n], 2) as tf.Tensor2D,
    bias: c.bias ? seeded([c.n], 3) : undefined,
  };
}

function vaekitProduct(c: Case): Float32Array {
  const backend = tf.backend() as unknown as WasmHeapBackend;
  return tf.tidy(() => {
    const { a, b, bias } = operands(c);
    const out = tf.engine().makeTensorFromTensorInfo(simdGemm(backend, { a, b, transposeA: c.transposeA, transposeB: c.transposeB, bias: bias ?? null, relu: c.relu }));
    return out.dataSync() as Float32Array;
  });
}

// Leave no installation behind for the next test, even when one fails.
useCpuAndWasm(() => installFastTransposedMatMul().uninstall());

describe('simdGemm on the wasm heap', () => {
  it('runs on the wasm backend of this Node', async () => {
    await tf.setBackend('wasm');
    expect(heapKernels(tf.backend())).not.toBeNull();
    expect(heapKernels({})).toBeNull();
  });

  for (const c of [...VAE_CASES, ...EDGE_CASES]) {
    it(`${c.name} [${c.m}×${c.k}]·[${c.k}×${c.n}] equals XNNPACK's product bit for bit, and cpu's to 1e-5`, async () => {
      const stock = await stockProduct('wasm', c);
      const cpu = await stockProduct('cpu', c);
      await tf.setBackend('wasm');
      const mine = vaekitProduct(c);
      expect(mine).toEqual(stock);
      expect(relativeError(mine, cpu)).toBeLessThan(1e-5);
    });
  }

  it('leaks no backend buffers or wasm heap over many calls', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmHeapBackend;
    const heap = () => (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;
    const round = () => VAE_CASES.slice(0, 5).forEach((c) => vaekitProduct(c));
    round();
    const before = { ids: tf.backend().numDataIds(), heap: heap() };
    for (let i = 0; i < 10; i++) round();
    expect({ ids: tf.backend().numDataIds(), heap: heap() }).toEqual(before);
  });
});

describe('the installed matMul kernels route to simdGemm', () => {
  const info = (shape: number[], dtype: tf.DataType = 'float32') => ({ dataId: {}, shape, dtype }) as tf.TensorInfo;

  it('takes float32 products of batch size 1 with at least 8 rows and 8192 multiply-adds, linear or relu', () => {
    const call = gemmCall(tf._FusedMatMul, { a: info([1, 128, 400]), b: info([1, 784, 400]), bias: info([784]) }, { transposeB: true, activation: 'relu' });
    expect(call).toMatchObject({ transposeA: false, transposeB: true, relu: true });
    expect(call?.bias?.shape).toEqual([784]);
    expect(gemmCall(tf.BatchMatMul, { a: info([128, 400]), b: info([128, 20]) }, { transposeA: true })).toMatchObject({ transposeA: true, bias: null, relu: false });
  });

  it('leaves to tfjs: batched, small, non-float32, other activations, prelu, a bias that is not N values, mismatched K', () => {
    expect(gemmCall(tf.BatchMatMul, { a: info([2, 128, 400]), b: info([2, 400, 784]) }, {})).toBeNull();
    expect(gemmCall(tf.BatchMatMul, { a: info([4, 400]), b: info([400, 784]) }, {})).toBeNull();
    expect(gemmCall(tf.BatchMatMul, { a: info([8, 16]), b: info([16, 16]) }, {})).toBeNull();
    expect(gemmCall(tf.BatchMatMul, { a: info([128, 400], 'int32'), b: info([400, 784], 'int32') }, {})).toBeNull();
    expect(gemmCall(tf._FusedMatMul, { a: info([128, 400]), b: info([400, 784]) }, { activation: 'elu' })).toBeNull();
    expect(gemmCall(tf._FusedMatMul, { a: info([128, 400]), b: info([400, 784]), preluActivationWeights: info([784]) }, { activation: 'prelu' })).toBeNull();
    expect(gemmCall(tf._FusedMatMul, { a: info([128, 400]), b: info([400, 784]), bias: info([128, 784]) }, {})).toBeNull();
    expect(gemmCall(tf.BatchMatMul, { a: info([128, 400]), b: info([401, 784]) }, {})).toBeNull();
  });

  it('gives tf.matMul, tf.fused.matMul and their gradients the stock results bit for bit', async () => {
    const c = VAE_CASES[0]!;
    const run = async (fixed: boolean) => {
      await tf.setBackend('wasm');
      const fix = fixed ? installFastTransposedMatMul() : null;
      try {
        return tf.tidy(() => {
          const { a, b, bias } = operands(c);
          const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias, activation: 'relu' })));
          const [ga, gb] = tf.grads(f)([a, b]);
          return [tf.matMul(a, b).dataSync(), ga!.dataSync(), gb!.dataSync()] as Float32Array[];
        });
      } finally {
        fix?.uninstall();
      }
    };
    const fixed = await run(true);
    const stock = await run(false);
    // Stock wasm runs the transposed gradient products in its scalar loop (another summation order).
    expect(fixed[0]).toEqual(stock[0]);
    for (let i = 1; i < 3; i++) expect(relativeError(fixed[i]!, stock[i]!)).toBeLessThan(1e-5);
  });
});
