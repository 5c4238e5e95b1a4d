/**
 * vaekit for browsers: the SDK with onnxruntime-web (devices wasm, webgpu). onnxruntime-web's
 * .wasm/.mjs files are expected next to this bundle; `setWasmPaths` points elsewhere.
 *
 * @example
 * ```ts
 * import { Vae } from 'vaekit';
 * const vae = await Vae.load(new URL('./models/mnist-mlp/', location.href), { device: 'auto' });
 * ```
 */
import { registerEntryRuntime } from './runtime/registry.js';
import { ortWebBackend } from './runtime/ort-web.js';

registerEntryRuntime(ortWebBackend);

export * from './index.js';
export { ortWebBackend };
export { setWasmPaths, type WasmPaths } from './runtime/ort-web.js';
