/**
 * `Conv2D` on the wasm training backend as im2col + vaekit's matrix product (heap-kernels.wat).
 *
 * tfjs-backend-wasm runs Conv2D on XNNPACK, which creates an operator and packs the filter for every
 * new filter tensor: in training, every call. At the conv VAE's shapes it reaches 9–13 G
 * multiply-adds/s. Writing the input patches out (`im2col`: rows (b, oh, ow), columns (kh, kw, ci))
 * and multiplying them by the filter seen as [KH·KW·Ci, Co] on vaekit's product runs the same
 * multiply-adds in the same order as XNNPACK's convolution — each output starts at 0 and adds kernel
 * positions in (kh, kw) order, channels in order, zeros where the padding is — so the results are
 * equal bit for bit (test/train/backend/im2col-conv2d.test.ts), and every convolution of training
 * gets it: the forward convs, vaekit's Conv2DBackpropInput (one Conv2D per output phase) and
 * Conv2DBackpropFilter (a dilated Conv2D). NCHW, non-float32, fewer than 4 input or 8 output
 * channels (XNNPACK is faster there), products too small and patch matrices too large (over 2^26
 * values) go to tfjs' kernel.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { heapKernels, heapOffset, withScratch, type WasmHeapBackend } from './heap-kernels.js';
import { gemmOnHeap } from './simd-gemm.js';
import { overrideWasmKernel, type KernelOverride } from './wasm-kernels.js';

/** Patch matrices larger than this many floats (256 MB) go to tfjs' kernel. */
export const MAX_PATCH_VALUES = 2 ** 26;
/** Below this many multiply-adds tfjs' kernel is as fast. */
const MIN_MULTIPLY_ADDS = 8192;
/** Input and output channels below which XNNPACK's convolution is faster (measured at the conv VAE's first and last layers). */
export const MIN_CHANNELS_IN = 4;
export const MIN_CHANNELS_OUT = 8;

type Shape4 = [number, number, number, number];

/** The convolution's geometry when the im2col path takes it, else null. Exported for tests. @internal */
export function im2colPlan(inputs: NamedTensorInfoMap, attrs: NamedAttrMap): tf.backend_util.Conv2DInfo | null {
  const x = inputs['x'];
  const filter = inputs['filter'];
  if (x === undefined || filter === undefined || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  if (x.shape.length !== 4 || filter.shape.length !== 4 || (attrs['dataFormat'] ?? 'NHWC') !== 'NHWC') return null;
  if (x.shape[3] !== filter.shape[2]) return null; // the original raises the error
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, attrs['strides'] as number | [number, number], (attrs['dilations'] ?? 1) as number | [number, number],
    attrs['pad'] as 'same' | 'valid' | number, attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined, false, 'channelsLast',
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  if (rows < 1 || rows * depth > MAX_PATCH_VALUES || rows * depth * info.outChannels < MIN_MULTIPLY_ADDS) return null;
  // Fewer than 4 input channels make im2col copy pixel by pixel, fewer than 8 output channels leave
  // most of the product's 8-wide panel empty: XNNPACK is faster there (the conv VAE's first and last layer).
  if (info.inChannels < MIN_CHANNELS_IN || info.outChannels < MIN_CHANNELS_OUT) return null;
  return info;
}

/**
 * Makes wasm's `Conv2D` run as im2col + vaekit's product (see the module comment). Idempotent;
 * `uninstall()` restores tfjs' XNNPACK kernel.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * const fast = installIm2colConv2D();
 * const y = tf.conv2d(x, w, 2, 'same'); // same bits as XNNPACK's
 * fast.uninstall();
 * ```
 */
export function installIm2colConv2D(): KernelOverride {
  return overrideWasmKernel(tf.Conv2D, 'installIm2colConv2D', (original): KernelFunc => (args) => {
    const info = im2colPlan(args.inputs, args.attrs ?? {});
    const kernels = info === null ? null : heapKernels(args.backend);
    if (info === null || kernels === null) return original(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    const x = args.inputs['x']!;
    const filter = args.inputs['filter']!;
    const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: Co } = info;
    const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
    const rows = B * OH * OW;
    const depth = KH * KW * C;
    const out: TensorInfo = backend.makeOutput([B, OH, OW, Co], 'float32');
    // A 1×1, stride-1, unpadded convolution's patches are x itself.
    const plain = KH === 1 && KW === 1 && sH === 1 && sW === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 && OH === H && OW === W;
    const product = (patches: number) =>
      gemmOnHeap(backend, kernels, {
        a: patches, aRowStride: depth, aColStride: 1,
        b: heapOffset(backend, filter), bRowStride: Co, bColStride: 1,
        bias: null, c: heapOffset(backend, out), M: rows, K: depth, N: Co, relu: false,
      });
    if (plain) product(heapOffset(backend, x));
    else
      withScratch(backend, 4 * rows * depth, (patches) => {
        kernels.im2col(heapOffset(backend, x), B, H, W, C, KH, KW, sH, sW, dH, dW, info.padInfo.top, info.padInfo.left, OH, OW, patches);
        product(patches);
      });
    return out;
  });
}
