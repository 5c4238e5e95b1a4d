/**
 * A fast `Conv2DBackpropInput` for the wasm backend, built on wasm's XNNPACK `Conv2D`.
 *
 * tfjs-backend-wasm (up to 4.22) computes Conv2DBackpropInput with a scalar C++ loop: no SIMD, no
 * blocking, about 1.4 G multiply-adds/s here, while its XNNPACK `Conv2D` reaches about 13. The
 * kernel runs twice per conv layer and training step of a conv VAE: as the forward pass of every
 * Conv2DTranspose layer (the decoder) and as the input gradient of every Conv2D layer but the first
 * (the encoder). At the conv VAE's shape (dy [128, 7, 7, 64], filter [3, 3, 32, 64], stride 2) the
 * loop takes 80–90 ms of CPU, this kernel 20–35 ms.
 *
 * The transposed convolution
 * `dx[b, o, p, ci] = Σ dy[b, i, j, co] · W[kh, kw, ci, co]` over `s·i + kh − padTop = o`,
 * `s·j + kw − padLeft = p`
 * splits by output phase: with `o + padTop = s·q + r`, only taps `kh = r + s·m` reach row o, from
 * `i = q − m`. So every phase r is a stride-1 correlation of dy with the taps of that phase, flipped.
 * The kernel runs all phases as ONE stride-1 XNNPACK `Conv2D` of dy with a filter
 * [⌈KH/sH⌉, ⌈KW/sW⌉, Co, sH·sW·Ci] (taps past the kernel's edge are zeros), whose output channel
 * (rh, rw, ci) holds output pixel (s·q + rh, s·q' + rw): a `Transpose` [B, Qh, Qw, sH, sW, Ci] →
 * [B, Qh, sH, Qw, sW, Ci] interleaves the phases (a free reshape then gives [B, Qh·sH, Qw·sW, Ci]),
 * and a `Slice` drops the rows and columns the forward padding cut off. For kernel 3, stride 2 the
 * zero taps make that 16 multiply-adds where 9 are needed; one phase per conv does the exact 9 but
 * needs slower interleaving (wasm's DepthToSpace and rank-6 transposes that move the batch axis
 * cost more than the taps saved, measured).
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

const BACKEND = 'wasm';
/** The wasm kernels this one is built from (tfjs-core kernel names). */
const USED_KERNELS = [tf.Conv2DBackpropInput, tf.Conv2D, tf.PadV2, tf.Reshape, tf.Reverse, tf.Transpose, tf.Slice] as const;

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
  for (const name of USED_KERNELS) requireKernel(name);
  if (!hasScalarLoopKernel(version_wasm)) return { installed: false, uninstall() {} };
  const original = requireKernel(tf.Conv2DBackpropInput);
  const installation: Installation = {
    original,
    handle: {
      installed: true,
      uninstall() {
        if (current !== installation) return;
        swapKernel(installation.original);
        current = null;
      },
    },
  };
  // The stock config's setupFunc binds the C++ function its kernelFunc calls; vaekit's kernel hands
  // NCHW calls to that kernelFunc, so keep the setupFunc for a backend that initializes later.
  swapKernel({ ...original, kernelFunc: conv2DBackpropInput as unknown as KernelFunc });
  current = installation;
  return installation.handle;
}

/** True while {@link installConv2DBackpropInput} has vaekit's kernel registered. */
export function isConv2DBackpropInputInstalled(): boolean {
  return current !== null;
}

function requireKernel(kernelName: string): KernelConfig {
  // getKernel is typed as always returning a config, but it returns undefined for an unknown key.
  const config = tf.getKernel(kernelName, BACKEND) as KernelConfig | undefined;
  if (config === undefined) {
    throw new VaekitError(
      'backend-unavailable',
      `Conv2DBackpropInput on wasm needs the '${BACKEND}' backend's ${kernelName} kernel, which is not registered; ` +
        `import '@tensorflow/tfjs-backend-wasm' first`,
    );
  }
  return config;
}

function swapKernel(config: KernelConfig): void {
  tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

type Shape4 = [number, number, number, number];

function fail(argument: string, expected: string, found: unknown): never {
  throw new VaekitError('invalid-argument', `Conv2DBackpropInput (wasm): '${argument}' must be ${expected}; found ${JSON.stringify(found)}`);
}

/** The stock kernel, for calls vaekit's does not take: the installed one's original, else the registered one. */
function stockKernel(): KernelFunc {
  return current?.original.kernelFunc ?? requireKernel(tf.Conv2DBackpropInput).kernelFunc;
}

/**
 * How one transposed convolution runs as a stride-1 convolution (see the module comment), along
 * one spatial axis: `taps` = ⌈K/s⌉ window, conv padding `before`/`after`, `phases` = s output rows
 * per conv output row, and the first of the `size` output rows at `cropStart` of the interleaved
 * result. Exported for tests.
 *
 * @internal
 */
export function phasePlan(inSize: number, outSize: number, kernel: number, stride: number, padBefore: number) {
  const taps = Math.ceil(kernel / stride);
  // Conv output row j stands for phase row q = first + j; rows q < ⌊padBefore/s⌋ only feed
  // output rows the padding cuts off, so the conv starts at that row when its window allows.
  const first = Math.min(Math.floor(padBefore / stride), taps - 1);
  const rowsNeeded = Math.ceil((padBefore + outSize) / stride) - first;
  const after = Math.max(0, rowsNeeded + first - inSize);
  return { taps, before: taps - 1 - first, after, rows: inSize - first + after, cropStart: padBefore - stride * first };
}

/**
 * The kernel function, exported for tests. Everything it allocates besides its result is freed
 * before it returns, also when a kernel it calls throws.
 *
 * @internal
 */
export function conv2DBackpropInput(args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const { inputs, backend } = args;
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
  const phases = sH * sW;

  const temporaries: TensorInfo[] = [];
  const call = (name: string, kernelInputs: NamedTensorInfoMap, kernelAttrs: NamedAttrMap): TensorInfo => {
    const out = requireKernel(name).kernelFunc({ inputs: kernelInputs, backend: backend as never, attrs: kernelAttrs }) as TensorInfo;
    temporaries.push(out);
    return out;
  };
  try {
    // Filter of the phase convolution: W [KH, KW, Ci, Co] padded with zero taps to
    // [taps·s, taps·s, Ci, Co], seen as [tapH, sH, tapW, sW, Ci, Co] (tap kh = m·s + r), taps
    // flipped, and laid out [tapH, tapW, Co, (sH, sW, Ci)].
    let w = filter;
    if (rows.taps * sH > KH || cols.taps * sW > KW) {
      w = call(tf.PadV2, { x: w }, { paddings: [[0, rows.taps * sH - KH], [0, cols.taps * sW - KW], [0, 0], [0, 0]], constantValue: 0 });
    }
    w = call(tf.Reshape, { x: w }, { shape: [rows.taps, sH, cols.taps, sW, Ci, Co] });
    if (rows.taps > 1 || cols.taps > 1) w = call(tf.Reverse, { x: w }, { dims: [0, 2] });
    w = call(tf.Transpose, { x: w }, { perm: [0, 2, 5, 1, 3, 4] });
    w = call(tf.Reshape, { x: w }, { shape: [rows.taps, cols.taps, Co, phases * Ci] });

    const y = call(tf.Conv2D, { x: dy, filter: w }, {
      strides: 1,
      dilations: 1,
      pad: [[0, 0], [rows.before, rows.after], [cols.before, cols.after], [0, 0]],
      dataFormat: 'NHWC',
    }); // [B, rows, cols, sH·sW·Ci]
    let out = y;
    if (phases > 1) {
      // Interleave the phases: [B, Qh, Qw, sH, sW, Ci] → [B, Qh, sH, Qw, sW, Ci].
      const split = call(tf.Reshape, { x: y }, { shape: [B, rows.rows, cols.rows, sH, sW, Ci] });
      out = call(tf.Transpose, { x: split }, { perm: [0, 1, 3, 2, 4, 5] });
    }
    const fullH = rows.rows * sH;
    const fullW = cols.rows * sW;
    const result =
      fullH === OH && fullW === OW
        ? requireKernel(tf.Reshape).kernelFunc({ inputs: { x: out }, backend: backend as never, attrs: { shape: [B, OH, OW, Ci] } })
        : requireKernel(tf.Slice).kernelFunc({
            inputs: { x: call(tf.Reshape, { x: out }, { shape: [B, fullH, fullW, Ci] }) },
            backend: backend as never,
            attrs: { begin: [0, rows.cropStart, cols.cropStart, 0], size: [B, OH, OW, Ci] },
          });
    // The result goes to the engine, so it is not a temporary.
    return result as TensorInfo;
  } finally {
    // The temporaries never reached the engine, so only the backend knows them: free them here
    // (a Reshape shares its input's buffer and holds one reference to it). Freeing the filter also
    // drops the XNNPACK operator that Conv2D cached for it.
    const disposer = backend as DisposingBackend;
    for (const t of temporaries) disposer.disposeData(t.dataId);
  }
}
