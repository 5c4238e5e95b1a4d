/**
 * `Identity` on the wasm backend without a copy. tfjs' engine clones every tensor a gradient will
 * need when it records an op for backprop (`saveTensorsForBackwardMode`), and clones run
 * `Identity`, which tfjs-backend-wasm 4.22 implements as a new buffer and a copy: 70 copies per step
 * of the MLP VAE (1.7 ms of 18), 90 of the conv VAE's. Tensors are immutable and tfjs' cpu backend
 * shares the buffer (one more reference on it) instead; this kernel does the same on wasm, whose
 * backend counts references too (its Reshape shares buffers the same way).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { overrideWasmKernel, type KernelOverride } from './wasm-kernels.js';

interface RefCountingBackend {
  incRef(dataId: DataId): void;
}

/**
 * Makes wasm's `Identity` share its input's buffer (see the module comment). Idempotent;
 * `uninstall()` restores tfjs' copying kernel.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * const shared = installSharedIdentity();
 * const y = tf.clone(x); // y's values are x's buffer, counted twice
 * shared.uninstall();
 * ```
 */
export function installSharedIdentity(): KernelOverride {
  return overrideWasmKernel(tf.Identity, 'installSharedIdentity', (original): KernelFunc => (args) => {
    const x = args.inputs['x'];
    if (x === undefined || x.dtype === 'string') return original(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype } satisfies TensorInfo;
  });
}
