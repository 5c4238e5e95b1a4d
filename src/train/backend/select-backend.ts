import * as tf from '@tensorflow/tfjs-core';
import { VaekitError } from '../../errors.js';
import { TRAIN_BACKENDS, type TrainBackend } from './train-backends.js';

/** The TensorFlow.js backends vaekit trains on, fastest first. */
export { TRAIN_BACKENDS, type TrainBackend };

export interface SelectedBackend {
  /** The backend tfjs now runs on. */
  name: TrainBackend;
  /** Why each faster backend was passed over, e.g. `tensorflow: @tensorflow/tfjs-node is not installed`. */
  skipped: string[];
}

// A variable specifier keeps bundlers and tsc from resolving the optional native package.
const TFJS_NODE = '@tensorflow/tfjs-node';

async function activate(name: TrainBackend): Promise<void> {
  switch (name) {
    case 'tensorflow':
      await import(TFJS_NODE);
      break;
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      const { installFastTransposedMatMul } = await import('./fast-transposed-matmul.js');
      const { installConv2DBackpropFilter } = await import('./conv2d-backprop-filter.js');
      const { installConv2DBackpropInput } = await import('./conv2d-backprop-input.js');
      const { installColumnSums } = await import('./column-sums.js');
      const { installSharedIdentity } = await import('./shared-identity.js');
      const { installIm2colConv2D } = await import('./im2col-conv2d.js');
      installFastTransposedMatMul();
      // Its Sum transposes before reducing leading axes (every bias gradient): summed in place instead.
      installColumnSums();
      // Its Identity (every tensor the engine saves for a gradient) copies: shared, as on cpu.
      installSharedIdentity();
      // Its Conv2D packs every new filter on XNNPACK: im2col + vaekit's product, same bits.
      installIm2colConv2D();
      // tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter: without it conv weights get no gradient.
      installConv2DBackpropFilter();
      // Its Conv2DBackpropInput (Conv2DTranspose, conv input gradients) is a scalar loop: XNNPACK instead.
      installConv2DBackpropInput();
      break;
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
  }
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
  // The cpu backend greets Node users with a banner about tfjs-node; vaekit reports the backend itself.
  if (name === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)/.test(message)) return 'not installed';
  return message.split('\n')[0]!;
}

/**
 * Chooses the tfjs backend for training: `tensorflow` (@tensorflow/tfjs-node) when it loads, else
 * `wasm` (with vaekit's matrix product, its Conv2DBackpropFilter, Conv2DBackpropInput, Sum,
 * Identity and Conv2D kernels), else `cpu`. A requested backend that fails to load is an error, never a silent fallback.
 *
 * @example
 * ```ts
 * const { name, skipped } = await selectBackend('auto');
 * console.log(`training on ${name}`, skipped);
 * ```
 */
export async function selectBackend(
  requested: TrainBackend | 'auto' = 'auto',
): Promise<SelectedBackend> {
  if (requested !== 'auto' && !TRAIN_BACKENDS.includes(requested)) {
    throw new VaekitError(
      'invalid-argument',
      `'backend' must be one of auto, ${TRAIN_BACKENDS.join(', ')}; found ${JSON.stringify(requested)}`,
    );
  }
  const candidates = requested === 'auto' ? [...TRAIN_BACKENDS] : [requested];
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      await activate(name);
      return { name, skipped };
    } catch (error) {
      skipped.push(`${name}: ${reason(error)}`);
    }
  }
  throw new VaekitError(
    'backend-unavailable',
    `no TensorFlow.js backend could be started (${skipped.map((s) => `[${s}]`).join(', ')})` +
      (requested === 'tensorflow' ? "; install @tensorflow/tfjs-node or use 'backend' wasm" : ''),
  );
}
