/**
 * vaekit for browsers on onnxruntime-web's wasm-only build (`vaekit/wasm`, dist/wasm.js): the API
 * of src/web.ts, with ort-wasm-simd-threaded.wasm (14 MB) instead of the JSEP one (28 MB); `auto`
 * runs wasm and `webgpu` falls back to it, saying why.
 *
 * @example
 * ```ts
 * import { Vae } from 'vaekit/wasm';
 * const vae = await Vae.load(new URL('./models/mnist-mlp/', location.href), { device: 'auto' });
 * ```
 */
import { registerEntryRuntime } from './runtime/registry.js';
import { ortWebBackend } from './runtime/ort-web-wasm.js';

registerEntryRuntime(ortWebBackend);

export * from './index.js';
export { ortWebBackend };
export { setWasmPaths, type WasmPaths } from './runtime/ort-web-wasm.js';
