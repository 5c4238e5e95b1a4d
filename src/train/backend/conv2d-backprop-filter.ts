/**
 * The `Conv2DBackpropFilter` kernel that tfjs-backend-wasm 4.22 lacks.
 *
 * Without it, the gradient of every Conv2D and Conv2DTranspose weight fails on wasm (tfjs-core
 * routes both to this kernel), so conv models could only train on the pure-JS cpu backend.
 *
 * The filter gradient of a convolution is itself a convolution, so the kernel runs it on wasm's
 * own XNNPACK `Conv2D`:
 * `dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[b, oh, ow, co]`
 * is a stride-1 convolution of x seen as Ci images [H, W] with B channels (`Transpose` to
 * [Ci, H, W, B]) by dy seen as a filter [OH, OW, B, Co] (`Transpose`), dilated by the forward
 * stride s, with the forward padding (zeros below and right as far as the last tap reaches). Its
 * output [Ci, KH, KW, Co] is `Transpose`d to the filter layout [KH, KW, Ci, Co].
 *
 * Measured at the conv VAE's largest shape (batch 128, x [128, 14, 14, 32], dy [128, 7, 7, 64]):
 * 13–25 ms, against 320 ms for im2col built from `StridedSlice` (its C++ loop takes ~175 ns per
 * element) + `Concat` + `BatchMatMul`, and 20–30 s for the cpu backend's kernel.
 *
 * When a patch (KH·KW·Ci values) is no wider than Co, as for the conv VAE's first and last layer
 * (Ci = 1, Co = 32), that convolution has only KH·KW·Ci output rows per pass over a huge filter
 * built from dy, and is slow (8 ms for 7 M multiply-adds). The kernel then extracts the patches
 * instead, `patches[b·oh·ow, (kh, kw, ci)]`, as an XNNPACK `Conv2D` of x with a one-hot filter
 * (exact: one product by 1 per value; it costs KH·KW·Ci / Co of the product), and multiplies
 * `patchesᵀ · dy` on XNNPACK's `BatchMatMul`: 3 ms at that shape.
 *
 * The kernel has no dilations attribute (tfjs-core's conv2d gradient refuses dilations > 1), so,
 * like the cpu kernel, it uses dilation 1. wasm's own Conv2D refuses NCHW, but its Conv2DTranspose
 * (Conv2DBackpropInput) accepts it, so NCHW can reach this kernel: it only changes the two input
 * transposes.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { VaekitError } from '../../errors.js';
import { WASM_BACKEND, requireWasmKernel } from './wasm-kernels.js';

/** The wasm kernels this one is built from (tfjs-core kernel names). */
const USED_KERNELS = [tf.Transpose, tf.Conv2D, tf.Slice, tf.Reshape, tf.BatchMatMul] as const;

/** The part of the wasm backend the kernel uses (it is `BackendWasm` at run time). */
interface DisposingBackend {
  disposeData(dataId: DataId, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
}

/**
 * Whether the kernel takes the patch path for a filter [KH, KW, Ci, Co] (see the module comment):
 * when a patch (KH·KW·Ci values) is no wider than Co, extracting the patches costs at most as much
 * as the product itself. Exported for tests.
 *
 * @internal
 */
export function usesPatches(filterShape: readonly number[], channelsLast: boolean): boolean {
  const [kh, kw, ci, co] = filterShape as Shape4;
  return channelsLast && kh * kw * ci <= co;
}

/** What {@link installConv2DBackpropFilter} returns. */
export interface Conv2DBackpropFilterHandle {
  /**
   * Whether vaekit's kernel is the one registered. False when the wasm backend already had a
   * Conv2DBackpropFilter kernel (a later tfjs version): install then leaves it in place.
   */
  readonly installed: boolean;
  /** Unregisters vaekit's kernel. Calling it more than once does nothing. */
  uninstall(): void;
}

let current: Conv2DBackpropFilterHandle | null = null;

/**
 * Registers a `Conv2DBackpropFilter` kernel for the wasm backend (see the module comment), so that
 * `tf.grads` through `tf.conv2d`, `tf.fused.conv2d`, `tf.conv2dTranspose` and the tfjs-layers
 * `conv2d` / `conv2dTranspose` layers works on wasm. At the conv VAE's shapes (batch 128) a call
 * takes 6–25 ms, where the cpu backend's kernel takes 1.2–30 s.
 *
 * The wasm backend must be registered first (`import '@tensorflow/tfjs-backend-wasm'`); installing
 * before or after `tf.setBackend('wasm')` both work. Install is idempotent: while installed, every
 * call returns the same handle, and one `uninstall()` removes the kernel.
 *
 * @throws VaekitError `backend-unavailable` if a wasm kernel it is built from is not registered.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { installConv2DBackpropFilter } from './train/backend/conv2d-backprop-filter.js';
 *
 * installConv2DBackpropFilter();
 * await tf.setBackend('wasm');
 * const [dx, dw] = tf.grads((x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, 2, 'same').sum())([x, w]);
 * ```
 */
export function installConv2DBackpropFilter(): Conv2DBackpropFilterHandle {
  if (current !== null) return current;
  for (const name of USED_KERNELS) requireWasmKernel(name, 'Conv2DBackpropFilter');
  if (tf.getKernel(tf.Conv2DBackpropFilter, WASM_BACKEND) !== undefined) {
    return { installed: false, uninstall() {} };
  }
  tf.registerKernel(conv2DBackpropFilterConfig);
  const handle: Conv2DBackpropFilterHandle = {
    installed: true,
    uninstall() {
      if (current !== handle) return;
      tf.unregisterKernel(tf.Conv2DBackpropFilter, WASM_BACKEND);
      current = null;
    },
  };
  current = handle;
  return handle;
}

/** True while {@link installConv2DBackpropFilter} has vaekit's kernel registered. */
export function isConv2DBackpropFilterInstalled(): boolean {
  return current !== null;
}

type Shape4 = [number, number, number, number];

function fail(argument: string, expected: string, found: unknown): never {
  throw new VaekitError('invalid-argument', `Conv2DBackpropFilter (wasm): '${argument}' must be ${expected}; found ${JSON.stringify(found)}`);
}

/**
 * The kernel function, exported for tests. Everything it allocates besides its result is freed
 * before it returns, also when a kernel it calls throws.
 *
 * @internal
 */
export function conv2DBackpropFilter(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const { x, dy } = inputs;
  if (x === undefined || dy === undefined) fail('inputs', 'x and dy', Object.keys(inputs));
  if (x.dtype !== 'float32') fail('x.dtype', 'float32', x.dtype);
  if (dy.dtype !== 'float32') fail('dy.dtype', 'float32', dy.dtype);
  if (x.shape.length !== 4) fail('x.shape', 'rank 4', x.shape);
  if (dy.shape.length !== 4) fail('dy.shape', 'rank 4', dy.shape);
  const { filterShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  if (!Array.isArray(filterShape) || filterShape.length !== 4) fail('filterShape', '[KH, KW, Ci, Co]', filterShape);
  const channelsLast = dataFormat !== 'NCHW';
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, channelsLast ? 'channelsLast' : 'channelsFirst',
  );
  const { batchSize, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const expectedDy = channelsLast ? [batchSize, outHeight, outWidth, outChannels] : [batchSize, outChannels, outHeight, outWidth];
  if (dy.shape.some((d, i) => d !== expectedDy[i])) fail('dy.shape', `[${expectedDy.join(', ')}] (the conv output)`, dy.shape);
  if (filterShape[2] !== inChannels) fail('filterShape[2]', `x's channel count ${inChannels}`, filterShape[2]);

  const temporaries: TensorInfo[] = [];
  const call = (name: string, kernelInputs: NamedTensorInfoMap, kernelAttrs: NamedAttrMap): TensorInfo => {
    const out = requireWasmKernel(name, 'Conv2DBackpropFilter').kernelFunc({ inputs: kernelInputs, backend: backend as never, attrs: kernelAttrs }) as TensorInfo;
    temporaries.push(out);
    return out;
  };
  try {
    const { top, left } = info.padInfo;
    // Padding below/right so the taps reach exactly the OH × OW conv outputs (more than the
    // forward padding when 'ceil' rounding let the last taps run past it; negative where x has
    // rows or columns no tap reaches).
    const bottom = (outHeight - 1) * strideHeight + filterHeight - info.inHeight - top;
    const right = (outWidth - 1) * strideWidth + filterWidth - info.inWidth - left;
    const convRows = Math.floor((info.inHeight + top + Math.max(0, bottom) - filterHeight) / strideHeight) + 1;
    const convCols = Math.floor((info.inWidth + left + Math.max(0, right) - filterWidth) / strideWidth) + 1;
    if (usesPatches(filterShape, channelsLast) && convRows === outHeight && convCols === outWidth) {
      // patches [B·OH·OW, KH·KW·Ci] = x under every tap (a conv with a one-hot filter: exact),
      // then dW [KH·KW·Ci, Co] = patchesᵀ · dy on XNNPACK.
      const width = filterHeight * filterWidth * inChannels;
      const rows = batchSize * outHeight * outWidth;
      const oneHot = new Float32Array(width * width);
      for (let i = 0; i < width; i++) oneHot[i * width + i] = 1;
      const selector = (backend as DisposingBackend).makeOutput([filterHeight, filterWidth, inChannels, width], 'float32', undefined, oneHot);
      temporaries.push(selector);
      const patches = call(tf.Conv2D, { x, filter: selector }, {
        strides: [strideHeight, strideWidth],
        dilations: 1,
        pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
        dataFormat: 'NHWC',
      }); // [B, OH, OW, KH·KW·Ci]
      const flat = call(tf.Reshape, { x: patches }, { shape: [rows, width] });
      const patchesT = call(tf.Transpose, { x: flat }, { perm: [1, 0] });
      const grads = call(tf.BatchMatMul, {
        a: call(tf.Reshape, { x: patchesT }, { shape: [1, width, rows] }),
        b: call(tf.Reshape, { x: dy }, { shape: [1, rows, outChannels] }),
      }, { transposeA: false, transposeB: false });
      return requireWasmKernel(tf.Reshape, 'Conv2DBackpropFilter').kernelFunc({ inputs: { x: grads }, backend: backend as never, attrs: { shape: [...filterShape] } }) as TensorInfo;
    }
    const images = call(tf.Transpose, { x }, { perm: channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0] }); // [Ci, H, W, B]
    const filter = call(tf.Transpose, { x: dy }, { perm: channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1] }); // [OH, OW, B, Co]
    // The same padding makes this conv's output exactly KH × KW; where x has rows or columns no
    // tap reaches ('valid'), the output is larger and cropped instead.
    const taps = call(tf.Conv2D, { x: images, filter }, {
      strides: 1,
      dilations: [strideHeight, strideWidth],
      pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
      dataFormat: 'NHWC',
    }); // [Ci, KH (+ unused), KW (+ unused), Co]
    const cropped =
      bottom >= 0 && right >= 0
        ? taps
        : call(tf.Slice, { x: taps }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] });
    // The result goes to the engine, so it is not a temporary.
    return requireWasmKernel(tf.Transpose, 'Conv2DBackpropFilter').kernelFunc({ inputs: { x: cropped }, backend: backend as never, attrs: { perm: [1, 2, 0, 3] } }) as TensorInfo;
  } finally {
    // The temporaries never reached the engine, so only the backend knows them: free them here.
    // Freeing the filter also drops the XNNPACK operator that Conv2D cached for it.
    const disposer = backend as DisposingBackend;
    for (const t of temporaries) disposer.disposeData(t.dataId);
  }
}

const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: WASM_BACKEND,
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
