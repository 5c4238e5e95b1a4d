/**
 * onnxruntime-web's JSEP build (wasm and WebGPU): the runtime of the browser entry `vaekit`
 * (src/web.ts). ort-web-backend.ts has the adapter and what it does.
 */
import * as ort from 'onnxruntime-web';
import type { RuntimeBackend } from './backend.js';
import { createOrtWebBackend } from './ort-web-backend.js';

export { setWasmPaths, type WasmPaths } from './ort-web-adapter.js';

export const ortWebBackend: RuntimeBackend = createOrtWebBackend(ort, true);
