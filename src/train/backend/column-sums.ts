/**
 * A faster `Sum` over leading axes for the wasm training backend: the bias gradient of every dense
 * and conv layer (dy summed over the batch, and over height and width for a conv).
 *
 * tfjs-backend-wasm's `Sum` reduces only innermost axes, so for leading ones it first transposes
 * the whole tensor (a strided copy), then sums each row in order. vaekit's `column_sums`
 * (heap-kernels.wat) adds the rows in place, four columns per f32x4 add, in the same order from 0:
 * the same bits without the copy (at the conv VAE's [128, 14, 14, 32] → [32], 2.2 ms a call
 * before). Other sums (inner axes, all axes, non-float32) go to tfjs' kernel unchanged.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapKernels, heapOffset, type WasmHeapBackend } from './heap-kernels.js';
import { overrideWasmKernel, type KernelOverride } from './wasm-kernels.js';

/**
 * Number of leading axes a `Sum` with `axis` reduces on `shape` when they are exactly the leading
 * 1 … rank−1 axes in ascending order, else 0 (tfjs' kernel then runs). Exported for tests.
 *
 * @internal
 */
export function leadingAxes(shape: readonly number[], axis: number | number[] | undefined): number {
  if (axis === undefined || shape.length < 2) return 0;
  // In the order given: tfjs' kernel sums the axes in that order, so only ascending ones have the same bits.
  const axes = tf.util.parseAxisParam(axis, [...shape]);
  if (axes.length === 0 || axes.length >= shape.length) return 0;
  return axes.every((a, i) => a === i) ? axes.length : 0;
}

/**
 * Replaces the wasm backend's `Sum` with one that runs sums over leading axes in place (see the
 * module comment). Idempotent; `uninstall()` restores tfjs' kernel.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * const fast = installColumnSums();
 * const biasGrad = tf.sum(dy, [0, 1, 2]); // [128, 14, 14, 32] → [32], no transpose
 * fast.uninstall();
 * ```
 */
export function installColumnSums(): KernelOverride {
  return overrideWasmKernel(tf.Sum, 'installColumnSums', wrap);
}

function wrap(original: KernelFunc): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    const attrs: NamedAttrMap = args.attrs ?? {};
    const lead = x === undefined || x.dtype !== 'float32' ? 0 : leadingAxes(x.shape, attrs['axis'] as number | number[] | undefined);
    const kernels = lead > 0 ? heapKernels(args.backend) : null;
    if (x === undefined || kernels === null) return original(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    const rows = x.shape.slice(0, lead).reduce((p, q) => p * q, 1);
    const kept = x.shape.slice(lead);
    const out: TensorInfo = backend.makeOutput(attrs['keepDims'] === true ? [...new Array<number>(lead).fill(1), ...kept] : kept, 'float32');
    kernels.column_sums(heapOffset(backend, x), rows, kept.reduce((p, q) => p * q, 1), heapOffset(backend, out));
    return out;
  };
}
