/**
 * vaekit's float32 matrix product for the wasm training backend (`gemm` in heap-kernels.wat), run
 * on tfjs-backend-wasm's own heap: it reads the operands where tfjs keeps them and writes the
 * product into a tensor the backend allocated.
 *
 * Why not XNNPACK, which tfjs-backend-wasm calls: XNNPACK packs B into panels once and caches them,
 * keyed by the tensor, which pays off for inference with fixed weights. In training every B is new
 * (the weights change each step, gradient operands are fresh), so every call repacks through XNNPACK's
 * operator set-up; XNNPACK takes no transposed A, so tfjs (and vaekit's transposing wrapper) first
 * copies a transposed operand; and its microkernel is left at 10–15 G multiply-adds/s at the
 * dense-layer shapes of a VAE (K = 784 or 3136 rows of B). This product packs B with the transpose
 * folded into the strides, reads A through strides (a transposed A costs nothing), and reaches
 * 18–25 G multiply-adds/s at the same shapes (bench/matmul.ts). The arithmetic is XNNPACK's
 * (bias first, then k in order, f32x4 multiply then add, relu as max(0, ·)), so results are equal
 * bit for bit (test/train/backend/simd-gemm.test.ts).
 *
 * @module
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapKernels, heapOffset, withScratch, type HeapKernels, type WasmHeapBackend } from './heap-kernels.js';

/** A matrix product's operands as the kernels receive them (batch dimensions, if any, all 1). */
export interface GemmCall {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  /** N values added to every row, or null. */
  bias: TensorInfo | null;
  relu: boolean;
}

const PANEL = 8;

/** op(A)·op(B)'s M × K · K × N from the operands' shapes (last two dims); `bK` is K as B has it (≠ K: the shapes do not fit). */
export function productDims(a: readonly number[], b: readonly number[], transposeA: boolean, transposeB: boolean): { M: number; K: number; N: number; bK: number } {
  const ra = a.length;
  const rb = b.length;
  return {
    M: transposeA ? a[ra - 1]! : a[ra - 2]!,
    K: transposeA ? a[ra - 2]! : a[ra - 1]!,
    N: transposeB ? b[rb - 2]! : b[rb - 1]!,
    bK: transposeB ? b[rb - 1]! : b[rb - 2]!,
  };
}

/** A product on the heap by address: A's element (i, k) at a + 4·(i·aRowStride + k·aColStride), B's (k, n) at b + 4·(k·bRowStride + n·bColStride). */
export interface HeapGemm {
  a: number;
  aRowStride: number;
  aColStride: number;
  b: number;
  bRowStride: number;
  bColStride: number;
  /** N floats added to every row, or null. */
  bias: number | null;
  /** M × N row-major output. */
  c: number;
  M: number;
  K: number;
  N: number;
  relu: boolean;
}

/** C = A·B (+ bias, relu) on the heap (`e`: the backend's heap kernels). */
export function gemmOnHeap(backend: WasmHeapBackend, e: HeapKernels, g: HeapGemm): void {
  const width = Math.ceil(g.N / PANEL) * PANEL;
  // Packed B, the padded bias and 32 bytes of scratch, in one block of the backend's heap.
  withScratch(backend, 4 * (width * g.K + width) + 32, (packed) => {
    const bias = packed + 4 * width * g.K;
    const tmp = bias + 4 * width;
    const heap = backend.wasm.HEAPF32; // read after the malloc: it may grow the heap
    heap.fill(0, bias / 4, bias / 4 + width);
    if (g.bias !== null) heap.copyWithin(bias / 4, g.bias / 4, g.bias / 4 + g.N);
    e.pack_panels(g.b, g.bRowStride, g.bColStride, g.K, g.N, packed);
    e.gemm(g.a, g.aRowStride, g.aColStride, packed, bias, g.c, g.M, g.K, g.N, g.relu ? 1 : 0, tmp);
  });
}

/**
 * op(A)·op(B) (+ bias, relu) as a new tensor of the backend, shaped [1, …, 1, M, N] with as many
 * leading 1s as the higher-rank operand has batch dimensions (BatchMatMul's output shape).
 */
export function simdGemm(backend: WasmHeapBackend, call: GemmCall): TensorInfo {
  const { a, b, transposeA, transposeB } = call;
  const { M, K, N } = productDims(a.shape, b.shape, transposeA, transposeB);
  const e = heapKernels(backend);
  if (e === null) throw new Error('simdGemm: not available on this backend (check heapKernels first)');
  const batchOnes = new Array<number>(Math.max(a.shape.length, b.shape.length) - 2).fill(1);
  const out = backend.makeOutput([...batchOnes, M, N], 'float32');
  gemmOnHeap(backend, e, {
    a: heapOffset(backend, a), aRowStride: transposeA ? 1 : K, aColStride: transposeA ? M : 1,
    b: heapOffset(backend, b), bRowStride: transposeB ? 1 : N, bColStride: transposeB ? K : 1,
    bias: call.bias === null ? null : heapOffset(backend, call.bias),
    c: heapOffset(backend, out), M, K, N, relu: call.relu,
  });
  return out;
}
