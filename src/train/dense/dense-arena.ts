/**
 * The dense VAE step's memory: one WebAssembly memory of its own, with vaekit's heap kernels
 * (heap-kernels.wat) instantiated on it, carved once into the blocks a step uses. Matrices are
 * row-major float32 blocks, named by their byte address as the kernels take them.
 */
import { heapKernelsOn, type HeapKernels } from '../backend/heap-kernels.js';

const PAGE = 65536;
/** Cache-line alignment: f32x4 loads of a misaligned block split across lines. */
const ALIGN = 64;
const PANEL = 8;

/** A block of the arena: its byte address and a view of its floats. */
export interface Block {
  at: number;
  floats: number;
  view: Float32Array;
}

/** op(A) as the kernels read it: element (i, k) at at + 4·(i·rowStride + k·colStride). */
export interface Operand {
  at: number;
  rowStride: number;
  colStride: number;
}

export class DenseArena {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  readonly kernels: HeapKernels;
  private top = 0;
  private readonly blocks: Block[] = [];
  private packed: Block | null = null;
  private bias: Block | null = null;
  private tmp = 0;

  constructor() {
    const kernels = heapKernelsOn(this.memory);
    if (kernels === null) throw new Error('the dense VAE step needs WebAssembly SIMD');
    this.kernels = kernels;
  }

  /** A new block of `floats` floats (zeros); views are refreshed whenever the memory grows. */
  block(floats: number): Block {
    const at = Math.ceil(this.top / ALIGN) * ALIGN;
    this.top = at + 4 * Math.max(floats, 1);
    const needed = Math.ceil(this.top / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (needed > 0) {
      this.memory.grow(needed);
      for (const b of this.blocks) b.view = new Float32Array(this.memory.buffer, b.at, b.floats);
    }
    const block = { at, floats, view: new Float32Array(this.memory.buffer, at, floats) };
    this.blocks.push(block);
    return block;
  }

  /** Reserves the scratch the products need: B packed (K × ⌈N/8⌉·8 floats at most) and a padded bias (⌈N/8⌉·8). */
  reserveProducts(maxPacked: number, maxWidth: number): void {
    this.packed = this.block(maxPacked);
    this.bias = this.block(Math.ceil(maxWidth / PANEL) * PANEL);
    this.tmp = this.block(8).at;
  }

  /**
   * C (M × N at `c`) = op(A)·op(B) (+ bias: N floats at `bias`), ReLU'd if asked: the bits of
   * tfjs-backend-wasm's XNNPACK product (bias first, then k in order).
   */
  product(a: Operand, b: Operand, bias: number | null, c: number, M: number, K: number, N: number, relu = false): void {
    const { kernels } = this;
    const packed = this.packed!;
    const padded = this.bias!;
    const width = Math.ceil(N / PANEL) * PANEL;
    if (width * K > packed.floats || width > padded.floats) throw new Error(`product ${M}×${K}×${N} exceeds the reserved scratch`);
    const heap = padded.view;
    heap.fill(0, 0, width);
    if (bias !== null) heap.set(new Float32Array(this.memory.buffer, bias, N));
    kernels.pack_panels(b.at, b.rowStride, b.colStride, K, N, packed.at);
    kernels.gemm(a.at, a.rowStride, a.colStride, packed.at, padded.at, c, M, K, N, relu ? 1 : 0, this.tmp);
  }

  /** out (C floats) = Σ over the R rows of x (R × C). */
  columnSums(x: number, R: number, C: number, out: number): void {
    this.kernels.column_sums(x, R, C, out);
  }
}

/** A row-major R × C matrix at `at`, read as is. */
export const rows = (at: number, C: number): Operand => ({ at, rowStride: C, colStride: 1 });
/** A row-major R × C matrix at `at`, read transposed (C × R). */
export const transposed = (at: number, C: number): Operand => ({ at, rowStride: 1, colStride: C });
