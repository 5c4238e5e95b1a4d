/**
 * A fast `Conv2DBackpropInput` for the wasm backend, built on wasm's XNNPACK `Conv2D`.
 *
 * tfjs-backend-wasm (up to 4.22) computes Conv2DBackpropInput with a scalar C++ loop: no SIMD, no
 * blocking, about 1.4 G multiply-adds/s here, while its XNNPACK `Conv2D` reaches about 13. The
 * kernel runs twice per conv layer and training step of a conv VAE: as the forward pass of every
 * Conv2DTranspose layer (the decoder) and as the input gradient of every Conv2D layer but the first
 * (the encoder). At the conv VAE's shape (dy [128, 7, 7, 64], filter [3, 3, 32, 64], stride 2) the
 * loop takes 80–90 ms of CPU, this kernel about 15 ms.
 *
 * The transposed convolution
 * `dx[b, o, p, ci] = Σ dy[b, i, j, co] · W[kh, kw, ci, co]` over `s·i + kh − padTop = o`,
 * `s·j + kw − padLeft = p`
 * splits by output phase: with `o + padTop = s·q + r`, only taps `kh = r + s·m` reach row o, from
 * `i = q − m`. So every phase is a stride-1 correlation of dy with the taps of that phase, flipped.
 * The kernel runs one stride-1 XNNPACK `Conv2D` of dy per row phase rh, with a filter
 * [⌈(KH − rh)/sH⌉, ⌈KW/sW⌉, Co, sW·Ci] whose output channel (rw, ci) is column phase rw (taps past
 * the kernel's edge are zeros): its output [B, Q, Q', sW·Ci] is already the rows s·q + rh of dx,
 * columns interleaved. A `Concat` of the sH outputs on a new axis 2 interleaves the rows (the
 * result [B, Q, sH, Q'·sW·Ci] is dx [B, Q·sH, Q'·sW, Ci] as it lies in memory), and a `Slice`
 * drops the rows and columns the forward padding cut off, when there are any. The phase filters
 * are built in JavaScript from W (18 k values at the VAE's shape).
 *
 * For kernel 3, stride 2 that is 12 multiply-adds per output value and channel pair where 9 are
 * needed (the zero taps of column phase 1); measured at the VAE's shape, 9.8 ms of Conv2D against
 * 12.6 ms for one conv over all four phases (16), whose channel-to-space interleave also costs a
 * Transpose. One conv per phase (the exact 9) needs a column interleave that costs more than it
 * saves (wasm's DepthToSpace, a rank-6 Transpose or a Concat of 32-value pieces).
 *
 * The result equals the stock kernel's within float32 rounding (bit for bit at the VAE's shapes).
 * NCHW (which wasm's Conv2D refuses) goes to the stock kernel unchanged, as does anything that is
 * not float32. The kernel has no dilations attribute: tfjs-core refuses conv gradients with
 * dilations > 1 before they reach it, and `tf.conv2dTranspose` has no dilations.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { VaekitError } from '../../errors.js';
import { requireWasmKernel, swapKernels } from './wasm-kernels.js';

/** The wasm kernels this one is built from (tfjs-core kernel names). */
const USED_KERNELS = [tf.Conv2DBackpropInput, tf.Conv2D, tf.Concat, tf.Reshape, tf.Slice] as const;

/**
 * The last tfjs-backend-wasm release known to run Conv2DBackpropInput as a scalar loop. A later
 * release may bring a faster kernel of its own, so vaekit's is installed up to this one only.
 */
export const LAST_SCALAR_LOOP_RELEASE = '4.22';

/** The part of the wasm backend the kernel uses (it is `BackendWasm` at run time). */
interface DisposingBackend {
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** What {@link installConv2DBackpropInput} returns. */
export interface Conv2DBackpropInputHandle {
  /**
   * Whether vaekit's kernel is the one registered. False when tfjs-backend-wasm is newer than
   * {@link LAST_SCALAR_LOOP_RELEASE}: install then leaves the backend's own kernel in place.
   */
  readonly installed: boolean;
  /** Puts the stock wasm kernel back. Calling it more than once does nothing. */
  uninstall(): void;
}

interface Installation {
  readonly original: KernelConfig;
  readonly handle: Conv2DBackpropInputHandle;
}

let current: Installation | null = null;

/** True when tfjs-backend-wasm `version` (e.g. `4.22.0`) is at most {@link LAST_SCALAR_LOOP_RELEASE}. */
export function hasScalarLoopKernel(version: string): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const [lastMajor, lastMinor] = LAST_SCALAR_LOOP_RELEASE.split('.').map(Number) as [number, number];
  return major < lastMajor || (major === lastMajor && minor <= lastMinor);
}

/**
 * Replaces the wasm backend's `Conv2DBackpropInput` kernel with vaekit's (see the module comment),
 * so that `tf.conv2dTranspose`, tfjs-layers `conv2dTranspose` layers and the input gradient of
 * `tf.conv2d` / `tf.fused.conv2d` run on XNNPACK: 2.5–4× faster at the conv VAE's shapes.
 *
 * The wasm backend must be registered first (`import '@tensorflow/tfjs-backend-wasm'`); installing
 * before or after `tf.setBackend('wasm')` both work. Install is idempotent: while installed, every
 * call returns the same handle, and one `uninstall()` restores the stock kernel.
 *
 * @throws VaekitError `backend-unavailable` if a wasm kernel it is built from is not registered.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { installConv2DBackpropInput } from './train/backend/conv2d-backprop-input.js';
 *
 * const fast = installConv2DBackpropInput();
 * await tf.setBackend('wasm');
 * const up = tf.conv2dTranspose(tf.ones([1, 7, 7, 64]), tf.ones([3, 3, 32, 64]), [1, 14, 14, 32], 2, 'same');
 * fast.uninstall(); // the stock kernel again
 * ```
 */
export function installConv2DBackpropInput(): Conv2DBackpropInputHandle {
  if (current !== null) return current.handle;
  for (const name of USED_KERNELS) requireWasmKernel(name, 'Conv2DBackpropInput');
  if (!hasScalarLoopKernel(version_wasm)) return { installed: false, uninstall() {} };
  const original = requireWasmKernel(tf.Conv2DBackpropInput, 'Conv2DBackpropInput');
  const installation: Installation = {
    original,
    handle: {
      installed: true,
      uninstall() {
        if (current !== installation) return;
        swapKernels([installation.original]);
        current = null;
      },
    },
  };
  // The stock config's setupFunc binds the C++ function its kernelFunc calls; vaekit's kernel hands
  // NCHW calls to that kernelFunc, so keep the setupFunc for a backend that initializes later.
  swapKernels([{ ...original, kernelFunc: conv2DBackpropInput as unknown as KernelFunc }]);
  current = installation;
  return installation.handle;
}

/** True while {@link installConv2DBackpropInput} has vaekit's kernel registered. */
export function isConv2DBackpropInputInstalled(): boolean {
  return current !== null;
}

type Shape4 = [number, number, number, number];

function fail(argument: string, expected: string, found: unknown): never {
  throw new VaekitError('invalid-argument', `Conv2DBackpropInput (wasm): '${argument}' must be ${expected}; found ${JSON.stringify(found)}`);
}

/** The stock kernel, for calls vaekit's does not take: the installed one's original, else the registered one. */
function stockKernel(): KernelFunc {
  return current?.original.kernelFunc ?? requireWasmKernel(tf.Conv2DBackpropInput, 'Conv2DBackpropInput').kernelFunc;
}

/**
 * How a transposed convolution's phases tile one spatial axis (see the module comment): phase r
 * has `taps[r]` = ⌈(K − r)/s⌉ taps (at least 1: a phase no tap reaches gets one zero tap), and conv
 * output row j stands for phase row q = `first` + j, so phase r's conv pads dy with
 * `taps[r] − 1 − first` rows before and `after` rows after, and all phases give `rows` rows. The
 * interleaved rows (s per phase row) hold the `size` output rows from `cropStart` on. Exported
 * for tests.
 *
 * @internal
 */
export function phasePlan(inSize: number, outSize: number, kernel: number, stride: number, padBefore: number) {
  const taps = Array.from({ length: stride }, (_, r) => Math.max(1, Math.ceil((kernel - r) / stride)));
  // Phase rows q < ⌊padBefore/s⌋ only feed output rows the padding cuts off: start at that row
  // when every phase's window allows it (a window cannot start past its first tap).
  const first = Math.min(Math.floor(padBefore / stride), Math.min(...taps) - 1);
  const rows = Math.max(Math.ceil((padBefore + outSize) / stride) - first, inSize - first);
  return { taps, first, after: rows - inSize + first, rows, cropStart: padBefore - stride * first };
}

/** The part of the wasm backend the kernel reads and writes buffers through (`BackendWasm`). */
interface HeapBackend extends DisposingBackend {
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: 'float32', memoryOffset?: number, values?: Float32Array): TensorInfo;
}

/**
 * The filter of row phase `rh`'s convolution, [tapsH, tapsW, Co, sW·Ci]: entry
 * [t, u, co, rw·Ci + ci] = W[rh + sH·(tapsH − 1 − t), rw + sW·(tapsW − 1 − u), ci, co] (taps
 * flipped), zero where that tap is past the kernel's edge. Built in JavaScript: W is small
 * (18 k values for the conv VAE) and one loop beats five kernel calls.
 */
function phaseFilter(backend: HeapBackend, filter: TensorInfo, rh: number, sH: number, sW: number, tapsH: number, tapsW: number): TensorInfo {
  const [KH, KW, Ci, Co] = filter.shape as Shape4;
  const w = backend.typedArrayFromHeap(filter);
  const out = new Float32Array(tapsH * tapsW * Co * sW * Ci);
  let o = 0;
  for (let t = 0; t < tapsH; t++) {
    const kh = rh + sH * (tapsH - 1 - t);
    for (let u = 0; u < tapsW; u++) {
      for (let co = 0; co < Co; co++) {
        for (let rw = 0; rw < sW; rw++) {
          const kw = rw + sW * (tapsW - 1 - u);
          if (kh >= KH || kw >= KW) {
            o += Ci; // zeros
            continue;
          }
          const base = (kh * KW + kw) * Ci * Co + co;
          for (let ci = 0; ci < Ci; ci++) out[o++] = w[base + ci * Co]!;
        }
      }
    }
  }
  return backend.makeOutput([tapsH, tapsW, Co, sW * Ci], 'float32', undefined, out);
}

/**
 * The kernel function, exported for tests. Everything it allocates besides its result is freed
 * before it returns, also when a kernel it calls throws.
 *
 * @internal
 */
export function conv2DBackpropInput(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const { inputs } = args;
  const backend = args.backend as HeapBackend;
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const { dy, filter } = inputs;
  if (dy === undefined || filter === undefined) fail('inputs', 'dy and filter', Object.keys(inputs));
  if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    return stockKernel()(args as Parameters<KernelFunc>[0]) as TensorInfo;
  }
  if (dy.shape.length !== 4) fail('dy.shape', 'rank 4', dy.shape);
  if (filter.shape.length !== 4) fail('filter.shape', 'rank 4 [KH, KW, Ci, Co]', filter.shape);
  const { inputShape, strides, pad, dimRoundingMode } = attrs;
  if (!Array.isArray(inputShape) || inputShape.length !== 4) fail('inputShape', '[B, H, W, Ci]', inputShape);
  const [KH, KW, Ci, Co] = filter.shape as Shape4;
  if (inputShape[3] !== Ci) fail('inputShape[3]', `the filter's input channel count ${Ci}`, inputShape[3]);
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize: B, inHeight: OH, inWidth: OW, outHeight: IH, outWidth: IW, strideHeight: sH, strideWidth: sW } = info;
  const expectedDy = [B, IH, IW, Co];
  if (dy.shape.some((d, i) => d !== expectedDy[i])) fail('dy.shape', `[${expectedDy.join(', ')}] (the conv output)`, dy.shape);

  const rows = phasePlan(IH, OH, KH, sH, info.padInfo.top);
  const cols = phasePlan(IW, OW, KW, sW, info.padInfo.left);
  const tapsW = Math.max(...cols.taps);

  const temporaries: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temporaries.push(t), t);
  const call = (name: string, kernelInputs: NamedTensorInfoMap, kernelAttrs: NamedAttrMap): TensorInfo =>
    keep(requireWasmKernel(name, 'Conv2DBackpropInput').kernelFunc({ inputs: kernelInputs, backend: backend as never, attrs: kernelAttrs }) as TensorInfo);
  try {
    // One stride-1 conv per row phase; its output channels (rw, ci) are the column phases.
    const phaseRows = rows.taps.map((tapsH, rh) => {
      const w = keep(phaseFilter(backend, filter, rh, sH, sW, tapsH, tapsW));
      const y = call(tf.Conv2D, { x: dy, filter: w }, {
        strides: 1,
        dilations: 1,
        pad: [[0, 0], [tapsH - 1 - rows.first, rows.after], [tapsW - 1 - cols.first, cols.after], [0, 0]],
        dataFormat: 'NHWC',
      }); // [B, rows, cols, sW·Ci]
      return sH === 1 ? y : call(tf.Reshape, { x: y }, { shape: [B, rows.rows, 1, cols.rows * sW * Ci] });
    });
    // Interleave the row phases: [B, rows, sH, cols·sW·Ci] is [B, rows·sH, cols·sW, Ci].
    const full = sH === 1 ? phaseRows[0]! : call(tf.Concat, phaseRows as unknown as NamedTensorInfoMap, { axis: 2 });
    const fullH = rows.rows * sH;
    const fullW = cols.rows * sW;
    const result =
      fullH === OH && fullW === OW
        ? requireWasmKernel(tf.Reshape, 'Conv2DBackpropInput').kernelFunc({ inputs: { x: full }, backend: backend as never, attrs: { shape: [B, OH, OW, Ci] } })
        : requireWasmKernel(tf.Slice, 'Conv2DBackpropInput').kernelFunc({
            inputs: { x: call(tf.Reshape, { x: full }, { shape: [B, fullH, fullW, Ci] }) },
            backend: backend as never,
            attrs: { begin: [0, rows.cropStart, cols.cropStart, 0], size: [B, OH, OW, Ci] },
          });
    // The result goes to the engine, so it is not a temporary.
    return result as TensorInfo;
  } finally {
    // The temporaries never reached the engine, so only the backend knows them: free them here
    // (a Reshape shares its input's buffer and holds one reference to it). Freeing a phase filter
    // also drops the XNNPACK operator that Conv2D cached for it.
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}
