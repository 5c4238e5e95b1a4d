/**
 * onnxruntime-web's wasm-only build (`onnxruntime-web/wasm`: ort-wasm-simd-threaded.wasm, 14 MB
 * against 28 MB for the JSEP one): the runtime of the browser entry `vaekit/wasm` (src/wasm.ts).
 */
import * as ort from 'onnxruntime-web/wasm';
import type { RuntimeBackend } from './backend.js';
import { createOrtWebBackend } from './ort-web-backend.js';

export { setWasmPaths, type WasmPaths } from './ort-web-adapter.js';

export const ortWebBackend: RuntimeBackend = createOrtWebBackend(ort, false);
