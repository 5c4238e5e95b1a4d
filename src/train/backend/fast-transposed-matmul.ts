/**
 * Kernel-level fix for slow transposed matrix products on the tfjs-backend-wasm 4.x backend.
 *
 * Root cause: the wasm kernels `BatchMatMul` and `_FusedMatMul` pass their transpose flags unchanged
 * to one C++ routine in src/cc/batch_mat_mul_impl.cc (`fused_batch_mat_mul`, formerly
 * `batchMatMul`). That routine uses XNNPACK's SIMD fully-connected GEMM only when
 * `!transpose_a && !transpose_b` and both batch sizes are 1; every other call falls into
 * `slow_batch_matmul`, a scalar 48×48-blocked triple loop that applies the transposes through
 * strides (no SIMD, no packing), about 12× slower at dense-layer shapes. The flags are not mapped
 * wrongly, and XNNPACK could take a transposed B directly (for a plain B the code already asks
 * XNNPACK to transpose it with `XNN_FLAG_TRANSPOSE_WEIGHTS`), but the dispatch never sends a
 * transposed call to XNNPACK. Dense-layer gradients are `matMul(dy, W, false, true)` and
 * `matMul(x, dy, true, false)`, so every one of them takes the slow loop.
 *
 * The slow loop is also wrong for fused calls: it adds the bias once per 48-wide K block, uses
 * `bias[n-1]` for every row after the first, and clamps (relu/relu6) each partial K-block sum. So
 * stock `tf.fused.matMul` with a transpose and a bias or relu gives wrong results on wasm.
 *
 * Fix: wrap the two kernels. Products of batch size 1 with at least {@link MIN_OUTPUT_ROWS} rows and
 * {@link MIN_MULTIPLY_ADDS} multiply-adds (every dense-layer product of training, transposed or not)
 * go to vaekit's SIMD product on the wasm heap ({@link gemmCall}, ./simd-gemm.ts): the transposes
 * become strides, B is packed without XNNPACK's operator set-up, and the results are XNNPACK's bit
 * for bit, 1.5–2.7× sooner at a VAE's shapes. What it does not take goes on as follows.
 * When a transpose flag is set and both operands have batch size 1 (so
 * the same call without the flags goes to XNNPACK), the wrapper transposes the last two dims with
 * the backend's own `Transpose` kernel, calls the original kernel with both flags false, and frees
 * the temporary buffers. A `BatchMatMul` `A·Bᵀ` whose A is much smaller than B (a dense layer's
 * input gradient `dy·Wᵀ`) runs as `(B·Aᵀ)ᵀ` instead, transposing the smaller operand and the
 * result ({@link swapsOperands}). XNNPACK repacks a B operand it has not seen before (about 3 ns per element
 * of B, while the scalar loop costs about 0.9 ns per multiply-add). So for `BatchMatMul` the
 * wrapper only steps in when the product has at least {@link MIN_OUTPUT_ROWS} rows and
 * {@link MIN_MULTIPLY_ADDS} multiply-adds; below that the stock loop is as fast or faster (measured,
 * see bench/matmul.ts). `_FusedMatMul` is always rewritten (batch size 1), because the stock loop
 * gives wrong results there. Calls go to the original kernel unchanged when they are batched (batch
 * size > 1: the scalar loop runs with or without transposes, so transposing only adds time), when
 * they have no transposes, or when they are not float32 (the original rejects those with its own
 * message).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapKernels, type WasmHeapBackend } from './heap-kernels.js';
import { productDims, simdGemm, type GemmCall } from './simd-gemm.js';
import { requireWasmKernel, swapKernels } from './wasm-kernels.js';

/** The kernels this module wraps (tfjs-core kernel names). */
const WRAPPED_KERNELS = [tf.BatchMatMul, tf._FusedMatMul] as const;

/** The part of the wasm backend the wrapper uses (it is `BackendWasm` at run time). */
interface DisposingBackend {
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** What {@link installFastTransposedMatMul} returns. */
export interface FastTransposedMatMulHandle {
  /**
   * Puts the original wasm `BatchMatMul` and `_FusedMatMul` kernels back. Calling it more than once
   * does nothing.
   */
  uninstall(): void;
}

interface Installation {
  readonly originals: readonly KernelConfig[];
  readonly handle: FastTransposedMatMulHandle;
}

let current: Installation | null = null;

/**
 * Makes transposed matrix products on the wasm backend run on XNNPACK (see the module comment):
 * replaces the wasm `BatchMatMul` and `_FusedMatMul` kernels with wrappers that transpose the
 * operand explicitly and call the original kernel without transpose flags. Every caller benefits:
 * `tf.matMul`, `tf.fused.matMul`, tfjs-layers `dense`, and gradients. At batch 128 the gradient
 * products of a 784-400-20 VAE's dense layers get 8–13× faster, and a `tf.grads` step gets about
 * 5× faster (bench/matmul.ts).
 *
 * The wasm backend must be registered first (`import '@tensorflow/tfjs-backend-wasm'`). Installing
 * before or after `tf.setBackend('wasm')` both work. Install is idempotent: while installed, every
 * call returns the same handle, and one `uninstall()` restores the original kernels.
 *
 * @throws VaekitError `backend-unavailable` if the wasm kernels are not registered.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { installFastTransposedMatMul } from './train/backend/fast-transposed-matmul.js';
 *
 * const fix = installFastTransposedMatMul();
 * await tf.setBackend('wasm');
 * const y = tf.matMul(dy, w, false, true); // XNNPACK now, not the scalar loop
 * fix.uninstall();                         // stock kernels again
 * ```
 */
export function installFastTransposedMatMul(): FastTransposedMatMulHandle {
  if (current !== null) return current.handle;

  const originals = WRAPPED_KERNELS.map((name) => requireWasmKernel(name, 'installFastTransposedMatMul'));
  const transposeConfig = requireWasmKernel(tf.Transpose, 'installFastTransposedMatMul');
  const transposeKernel = transposeConfig.kernelFunc;

  // Keep setupFunc/disposeFunc: if the backend initializes after this point, the engine runs the
  // setupFunc of the registered config. That setupFunc binds the C++ function the original
  // kernelFunc calls.
  const wrappers = originals.map(
    (original): KernelConfig => ({
      ...original,
      kernelFunc: wrapKernel(original.kernelName, original.kernelFunc, transposeKernel),
    }),
  );

  const installation: Installation = {
    originals,
    handle: {
      uninstall() {
        if (current !== installation) return;
        swapKernels(installation.originals);
        current = null;
      },
    },
  };
  swapKernels(wrappers);
  current = installation;
  return installation.handle;
}

/** True while {@link installFastTransposedMatMul} is in effect. */
export function isFastTransposedMatMulInstalled(): boolean {
  return current !== null;
}

function batchSize(shape: readonly number[]): number {
  let size = 1;
  for (let i = 0; i < shape.length - 2; i++) size *= shape[i]!;
  return size;
}

/** `[0, 1, …, rank-3, rank-1, rank-2]`: swap the last two axes. */
function lastTwoAxesSwapped(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * `BatchMatMul` calls with fewer output rows than this go to the stock kernel. XNNPACK repacks a new
 * B operand on every call (gradient operands are always new tensors). Packing costs about as much
 * as 4 rows of the scalar loop. Measured break-even: 4–5 rows for k·n from 20·400 up to 784·400.
 */
export const MIN_OUTPUT_ROWS = 8;

/**
 * `BatchMatMul` calls with fewer multiply-adds (m·k·n) than this go to the stock kernel. Both paths
 * take 10–15 µs there, and the kernel call and the transpose are overhead.
 */
export const MIN_MULTIPLY_ADDS = 8192;

/**
 * Whether the wrapper of kernel `kernelName` should transpose an operand itself rather than pass
 * the call to the original kernel (see the module comment for the rule). Exported for tests.
 *
 * @internal
 */
export function shouldMaterializeTranspose(
  kernelName: string,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  if (!transposeA && !transposeB) return false;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return false;
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  if (aRank < 2 || bRank < 2 || batchSize(a.shape) !== 1 || batchSize(b.shape) !== 1) return false;
  const inner = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
  // A mismatch goes to the original kernel, which raises the error with the caller's flags.
  if (inner !== (transposeB ? b.shape[bRank - 1]! : b.shape[bRank - 2]!)) return false;
  // The stock loop gets fused bias and relu/relu6 wrong, so fused calls are rewritten at any size.
  if (kernelName === tf._FusedMatMul) return true;
  const rows = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
  const cols = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
  return rows >= MIN_OUTPUT_ROWS && rows * inner * cols >= MIN_MULTIPLY_ADDS;
}

/**
 * Whether a `BatchMatMul` `A·Bᵀ` (A [m, k], B [n, k]) is cheaper as `(B·Aᵀ)ᵀ`: transposing B costs
 * n·k moves and XNNPACK packs the transposed copy (n·k again), where the swapped product
 * transposes and packs A (2·m·k) and transposes the m × n result. For the conv VAE's dense
 * gradients (m = 128 rows against n, k = 256 and 3136) that is 2–3.5× less data moved. Exported
 * for tests.
 *
 * @internal
 */
export function swapsOperands(m: number, k: number, n: number): boolean {
  return 2 * m * k + m * n < 2 * n * k;
}

/**
 * The call as a {@link GemmCall} when vaekit's SIMD product takes it: float32, batch size 1, at
 * least {@link MIN_OUTPUT_ROWS} rows and {@link MIN_MULTIPLY_ADDS} multiply-adds (below that, packing
 * B costs more than it saves), and for `_FusedMatMul` a bias of N values and a linear or relu
 * activation (others stay with tfjs). Null otherwise. Exported for tests.
 *
 * @internal
 */
export function gemmCall(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): GemmCall | null {
  const a = inputs['a'];
  const b = inputs['b'];
  if (a === undefined || b === undefined || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.length < 2 || b.shape.length < 2 || batchSize(a.shape) !== 1 || batchSize(b.shape) !== 1) return null;
  const transposeA = attrs['transposeA'] === true;
  const transposeB = attrs['transposeB'] === true;
  const { M: m, K: k, N: n, bK } = productDims(a.shape, b.shape, transposeA, transposeB);
  if (k !== bK) return null; // the original raises the error
  if (m < MIN_OUTPUT_ROWS || m * k * n < MIN_MULTIPLY_ADDS) return null;
  let bias: TensorInfo | null = null;
  let relu = false;
  if (kernelName === tf._FusedMatMul) {
    const activation = (attrs['activation'] as string | undefined) ?? 'linear';
    if ((activation !== 'linear' && activation !== 'relu') || inputs['preluActivationWeights'] !== undefined) return null;
    relu = activation === 'relu';
    bias = inputs['bias'] ?? null;
    if (bias !== null && (bias.dtype !== 'float32' || bias.shape[bias.shape.length - 1] !== n || bias.shape.some((d, i) => i < bias!.shape.length - 1 && d !== 1))) return null;
  }
  return { a, b, transposeA, transposeB, bias, relu };
}

let simdGemmRouting = true;

/**
 * Whether the installed wrappers send products to vaekit's SIMD product (default) or, as before it,
 * to XNNPACK. For benchmarks that compare the two.
 *
 * @internal
 */
export function setSimdGemmRouting(on: boolean): void {
  simdGemmRouting = on;
}

function wrapKernel(kernelName: string, original: KernelFunc, transposeKernel: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const attrs: NamedAttrMap = args.attrs ?? {};
    const gemm = simdGemmRouting ? gemmCall(kernelName, inputs, attrs) : null;
    if (gemm !== null && heapKernels(backend) !== null) return simdGemm(backend as unknown as WasmHeapBackend, gemm);
    const a = inputs['a'];
    const b = inputs['b'];
    const transposeA = attrs['transposeA'] === true;
    const transposeB = attrs['transposeB'] === true;
    if (a === undefined || b === undefined || !shouldMaterializeTranspose(kernelName, a, b, transposeA, transposeB)) {
      return original(args);
    }

    const temporaries: TensorInfo[] = [];
    const transposed = (x: TensorInfo, keep = true): TensorInfo => {
      const out = transposeKernel({
        inputs: { x },
        backend,
        attrs: { perm: lastTwoAxesSwapped(x.shape.length) },
      }) as TensorInfo;
      if (keep) temporaries.push(out);
      return out;
    };
    try {
      const m = a.shape[a.shape.length - 2]!;
      const k = a.shape[a.shape.length - 1]!;
      const n = b.shape[b.shape.length - 2]!;
      if (kernelName === tf.BatchMatMul && transposeB && !transposeA && swapsOperands(m, k, n)) {
        // A·Bᵀ = (B·Aᵀ)ᵀ; a fused bias or activation could not move along, hence BatchMatMul only.
        const product = original({ inputs: { a: b, b: transposed(a) }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as TensorInfo;
        temporaries.push(product);
        return transposed(product, false);
      }
      return original({
        inputs: { ...inputs, a: transposeA ? transposed(a) : a, b: transposeB ? transposed(b) : b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      // The temporaries never reached the engine, so only the backend knows them: free them here.
      // Disposing also drops the XNNPACK operator cached on a transposed B (C++ disposal callback).
      const disposer = backend as DisposingBackend;
      for (const t of temporaries) disposer.disposeData(t.dataId);
    }
  };
}
