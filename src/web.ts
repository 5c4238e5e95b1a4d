/**
 * vaekit for browsers: the SDK with onnxruntime-web (devices wasm, webgpu). onnxruntime-web finds
 * its .wasm itself (bundlers emit it, the self-contained bundle has it beside itself);
 * `setWasmPaths` points elsewhere. This entry (dist/web.js, `vaekit`) runs onnxruntime-web's JSEP
 * build (wasm + WebGPU); src/wasm.ts (dist/wasm.js, `vaekit/wasm`) the wasm-only one, half the .wasm.
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
