/**
 * Whether the onnxruntime-web build this copy of vaekit imports has WebGPU. src/web.ts is built
 * twice (rollup.config.mjs): dist/web.js on `onnxruntime-web` (JSEP: wasm and WebGPU) and
 * dist/wasm.js (`vaekit/wasm`) on `onnxruntime-web/wasm`, whose build replaces this module with
 * `WEBGPU_BUILT_IN = false`, so that `auto` skips WebGPU there silently and `webgpu` says why.
 */
export const WEBGPU_BUILT_IN: boolean = true;
