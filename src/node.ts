/**
 * vaekit for Node: the SDK with onnxruntime-node (devices cpu, webgpu, cuda).
 *
 * @example
 * ```ts
 * import { Vae } from 'vaekit';
 * const vae = await Vae.load('models/mnist-mlp');
 * console.log(vae.provider); // { encoder: 'cpu', decoder: 'cpu' }
 * ```
 */
import { registerEntryRuntime } from './runtime/registry.js';
import { ortNodeBackend } from './runtime/ort-node.js';

registerEntryRuntime(ortNodeBackend);

export * from './index.js';
export { ortNodeBackend };
