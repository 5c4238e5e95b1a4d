/**
 * The browser adapter: runs graphs with onnxruntime-web on `wasm` or `webgpu`, built over the
 * onnxruntime-web module an entry imports — ort-web.ts on `onnxruntime-web` (JSEP: wasm and
 * WebGPU, `vaekit`), ort-web-wasm.ts on `onnxruntime-web/wasm` (wasm only, half the .wasm,
 * `vaekit/wasm`). Both browser entries are one rollup build, so everything else is shared code.
 *
 * Devices (DEVICE_TABLE in devices.ts):
 *   - `auto`   → webgpu when `navigator.gpu.requestAdapter()` returns an adapter (skipped silently
 *                otherwise) → wasm
 *   - `webgpu` → webgpu → wasm (a warning through `onWarning`, or `provider-unavailable` with `strict`)
 *   - `wasm`   → wasm
 * Every attempt passes one explicit execution provider (docs/architecture.md): if onnxruntime-node and
 * onnxruntime-web ever share one onnxruntime-common registry, onnxruntime-node's native backends
 * (`cpu`, `webgpu`, priority 100) would answer a session without a list. `wasm` is registered only
 * by onnxruntime-web, so the wasm path cannot be captured. (Measured with 1.30: in plain Node they
 * do not share it — onnxruntime-node requires the CJS build of onnxruntime-common, onnxruntime-web's
 * Node build imports the ESM build — and the browser builds inline their own copy; a bundler that
 * turns both into ESM would merge them.)
 *
 * Threads: wasm uses worker threads only when the page is cross-origin isolated
 * (`crossOriginIsolated`, i.e. served with COOP/COEP headers): then `env.wasm.numThreads` =
 * `threads` (0 = onnxruntime-web's default, min(4, ⌈cores/2⌉)); otherwise 1. onnxruntime-web fixes
 * the thread count, like the file locations, when its first session starts.
 *
 * Where the .wasm/.mjs files come from (`env.wasm.wasmPaths`):
 *   - default: onnxruntime-web finds them itself, with `new URL('ort-wasm-simd-threaded.jsep.wasm',
 *     import.meta.url)` in its own ESM build (the .mjs is inlined there). Bundlers that understand
 *     that pattern (Vite, webpack 5) emit the .wasm with the app; in vaekit's self-contained
 *     bundle (dist/vaekit.web.bundle.js) import.meta.url is the bundle's, and the build copies the
 *     files beside it; in Node, onnxruntime-web reads them from node_modules. This module holds no
 *     `import.meta.url` of its own: a bundler would copy the module itself as an asset;
 *   - `setWasmPaths(prefixOrFiles)` before the first session points elsewhere (a folder URL or an
 *     `{ wasm, mjs }` pair, as `env.wasm.wasmPaths` takes them, e.g. a CDN:
 *     `setWasmPaths('https://cdn.jsdelivr.net/npm/onnxruntime-web@1.30.0/dist/')`);
 *     `setWasmPaths(null)` restores the default (onnxruntime-web's own lookup).
 *
 * In Node, `onnxruntime-web` resolves to its Node build (exports condition `node` →
 * dist/ort.node.min.mjs), which has wasm only: `webgpu` there falls back to wasm. The Node build of
 * vaekit runs on it, under the Node device names, when onnxruntime-node is not installed
 * (ort-web-node.ts); both share the adapter and its settings in ort-web-adapter.ts.
 */
import type * as OrtWeb from 'onnxruntime-web';
import type { RuntimeBackend } from './backend.js';
import { DEVICE_TABLE, type ExecutionProvider, type RuntimeDevices, type WebDevice } from './devices.js';
import { ortRuntimeBackend } from './open-ort-session.js';
import { ortWebAdapter } from './ort-web-adapter.js';
import { fetchBytes } from './read-file-fetch.js';

const TABLE: RuntimeDevices<WebDevice> = DEVICE_TABLE['onnxruntime-web'];

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** Why WebGPU cannot be tried here, or null when navigator.gpu gives an adapter. */
async function webgpuUnavailableReason(webgpuBuiltIn: boolean): Promise<string | null> {
  if (!webgpuBuiltIn) return `this build ('vaekit/wasm', on onnxruntime-web/wasm) has no WebGPU; import 'vaekit' to run webgpu`;
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) {
    return isNode()
      ? 'navigator.gpu is not available (onnxruntime-web runs wasm only in Node; use onnxruntime-node for WebGPU there)'
      : 'navigator.gpu is not available (this browser has no WebGPU, or the page is not a secure context)';
  }
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? null : 'navigator.gpu.requestAdapter() returned null (no adapter)';
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${(e as Error).message}`;
  }
}

/**
 * onnxruntime-web over `ort`. Devices `auto` | `wasm` | `webgpu`; `readFile` fetches (http(s),
 * relative to the page, blob:, data:). `webgpuBuiltIn` false (the wasm-only build): `auto` skips
 * WebGPU silently and `webgpu` says why it falls back.
 */
export function createOrtWebBackend(ort: typeof OrtWeb, webgpuBuiltIn: boolean): RuntimeBackend {
  const unavailableReason = (provider: ExecutionProvider): Promise<string | null> | null =>
    provider === 'webgpu' ? webgpuUnavailableReason(webgpuBuiltIn) : null;
  return ortRuntimeBackend(ortWebAdapter(ort, TABLE, unavailableReason), fetchBytes);
}
