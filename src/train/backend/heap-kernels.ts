/**
 * vaekit's training kernels on tfjs-backend-wasm's own heap (heap-kernels.wat): one instance of the
 * module per backend, importing that backend's memory, so the kernels read operands where tfjs
 * keeps them and write into tensors the backend allocated: no copies in or out.
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';
import { HEAP_KERNELS_WASM_BASE64 } from './heap-kernels-wasm.js';

/** The parts of tfjs-backend-wasm's `BackendWasm` the kernels use. */
export interface WasmHeapBackend {
  wasm: { asm: { memory: WebAssembly.Memory }; _malloc(bytes: number): number; _free(pointer: number): void; HEAPF32: Float32Array };
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

/** heap-kernels.wat's exports (byte addresses on the heap, counts in floats). */
export interface HeapKernels {
  pack_panels(b: number, sK: number, sN: number, K: number, N: number, dst: number): void;
  gemm(a: number, sM: number, sK: number, bp: number, bias: number, c: number, M: number, K: number, N: number, relu: number, tmp: number): void;
  column_sums(x: number, R: number, C: number, out: number): void;
  /** The dense VAE step's Bernoulli term: Σ of −log p over `count` (a multiple of 4) logits, whose gradient (× scale) it writes over them. */
  bernoulli_terms(pre: number, x: number, count: number, scale: number): number;
  im2col(
    x: number, B: number, H: number, W: number, C: number, KH: number, KW: number, sH: number, sW: number,
    dH: number, dW: number, padTop: number, padLeft: number, OH: number, OW: number, dst: number,
  ): void;
}

const instances = new WeakMap<object, HeapKernels | null>();

/** The kernels on `memory` (a plain, not shared, memory), or null where this engine has no wasm SIMD. */
export function heapKernelsOn(memory: WebAssembly.Memory): HeapKernels | null {
  try {
    // Synchronous: kernels run synchronously, and the module is 1.4 kB.
    const module = new WebAssembly.Module(Buffer.from(HEAP_KERNELS_WASM_BASE64, 'base64'));
    return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as HeapKernels;
  } catch {
    // No wasm SIMD in this engine, or a heap that is not a plain memory (tfjs' threaded build
    // shares its memory): the callers keep tfjs' own kernels.
    return null;
  }
}

/** The kernels on `backend`'s heap, or null where they cannot run (then tfjs' own kernels run). */
export function heapKernels(backend: object): HeapKernels | null {
  if (!instances.has(backend)) {
    const b = backend as Partial<WasmHeapBackend>;
    instances.set(backend, b.wasm?.asm?.memory instanceof WebAssembly.Memory ? heapKernelsOn(b.wasm.asm.memory) : null);
  }
  return instances.get(backend)!;
}

/** Where `t`'s values start on the heap (bytes). */
export function heapOffset(backend: WasmHeapBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`tensor ${String((t.dataId as { id?: number }).id)} is not on this wasm backend`);
  return data.memoryOffset;
}

/** Cache-line alignment of vaekit's scratch blocks: f32x4 loads of a misaligned block split across lines. */
const ALIGN = 64;

/**
 * `bytes` of the backend's heap starting at a 64-byte boundary, for `use`; freed after it. Pointers
 * stay valid if the heap grows (they are offsets), typed views of it do not.
 */
export function withScratch<T>(backend: WasmHeapBackend, bytes: number, use: (pointer: number) => T): T {
  const block = backend.wasm._malloc(bytes + ALIGN);
  try {
    return use(Math.ceil(block / ALIGN) * ALIGN);
  } finally {
    backend.wasm._free(block);
  }
}
