/**
 * vaekit for browsers: the SDK with onnxruntime-web (devices wasm, webgpu). onnxruntime-web finds
 * its .wasm itself (bundlers emit it, the self-contained bundle has it beside itself);
 * `setWasmPaths` points elsewhere. Built twice: dist/web.js on `onnxruntime-web` (wasm + WebGPU,
 * `vaekit`) and dist/wasm.js on `onnxruntime-web/wasm` (wasm only, half the .wasm, `vaekit/wasm`).
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
