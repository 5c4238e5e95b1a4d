/**
 * vaekit's float32 matrix product for the wasm training backend (gemm-simd.wat), run on
 * tfjs-backend-wasm's own heap: the module imports the backend's memory, reads the operands where
 * tfjs keeps them and writes the product into a tensor the backend allocated.
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
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { GEMM_SIMD_WASM_BASE64 } from './gemm-simd-wasm.js';

/** The parts of tfjs-backend-wasm's `BackendWasm` this module uses. */
export interface WasmHeapBackend {
  wasm: { asm: { memory: WebAssembly.Memory }; _malloc(bytes: number): number; _free(pointer: number): void; HEAPF32: Float32Array };
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

interface GemmExports {
  pack_panels(b: number, sK: number, sN: number, K: number, N: number, dst: number): void;
  gemm(a: number, sM: number, sK: number, bp: number, bias: number, c: number, M: number, K: number, N: number, relu: number, tmp: number): void;
}

/** One instance per backend (it imports that backend's memory); null where it cannot run. */
const instances = new WeakMap<object, GemmExports | null>();

function instantiate(backend: WasmHeapBackend): GemmExports | null {
  try {
    // Synchronous: kernels run synchronously, and the module is 1.2 kB.
    const module = new WebAssembly.Module(Buffer.from(GEMM_SIMD_WASM_BASE64, 'base64'));
    return new WebAssembly.Instance(module, { env: { memory: backend.wasm.asm.memory } }).exports as unknown as GemmExports;
  } catch {
    // No wasm SIMD in this engine, or a backend whose heap is not a plain exported memory
    // (tfjs' threaded build shares its memory): the caller keeps tfjs' own kernel.
    return null;
  }
}

/** Whether {@link simdGemm} can run on `backend`. */
export function simdGemmAvailable(backend: object): boolean {
  if (!instances.has(backend)) {
    const b = backend as Partial<WasmHeapBackend>;
    instances.set(backend, b.wasm?.asm?.memory instanceof WebAssembly.Memory ? instantiate(backend as WasmHeapBackend) : null);
  }
  return instances.get(backend) !== null;
}

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

/**
 * op(A)·op(B) (+ bias, relu) as a new tensor of the backend, shaped [1, …, 1, M, N] with as many
 * leading 1s as the higher-rank operand has batch dimensions (BatchMatMul's output shape).
 */
export function simdGemm(backend: WasmHeapBackend, call: GemmCall): TensorInfo {
  const { a, b, transposeA, transposeB } = call;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const batchOnes = new Array<number>(Math.max(ra, rb) - 2).fill(1);
  const out = backend.makeOutput([...batchOnes, M, N], 'float32');

  if (!simdGemmAvailable(backend)) throw new Error('simdGemm: not available on this backend (check simdGemmAvailable first)');
  const e = instances.get(backend)!;
  const width = Math.ceil(N / PANEL) * PANEL;
  // Packed B, the padded bias and 32 bytes of scratch, in one block of the backend's heap.
  const scratch = backend.wasm._malloc(4 * (width * K + width) + 32);
  try {
    const packed = scratch;
    const bias = scratch + 4 * width * K;
    const tmp = bias + 4 * width;
    const heap = backend.wasm.HEAPF32; // read after the mallocs: they may grow the heap
    heap.fill(0, bias / 4, bias / 4 + width);
    if (call.bias !== null) heap.copyWithin(bias / 4, offsetOf(backend, call.bias) / 4, offsetOf(backend, call.bias) / 4 + N);
    e.pack_panels(offsetOf(backend, b), transposeB ? 1 : N, transposeB ? K : 1, K, N, packed);
    e.gemm(offsetOf(backend, a), transposeA ? 1 : K, transposeA ? M : 1, packed, bias, offsetOf(backend, out), M, K, N, call.relu ? 1 : 0, tmp);
  } finally {
    backend.wasm._free(scratch);
  }
  return out;
}

function offsetOf(backend: WasmHeapBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`simdGemm: tensor ${String((t.dataId as { id?: number }).id)} is not on this wasm backend`);
  return data.memoryOffset;
}
