/**
 * The Node runtime for when onnxruntime-node is not installed (it is an optional peer dependency:
 * 288 MB, and its install script downloads CUDA): onnxruntime-web's Node build, wasm only, behind
 * the Node device names so that code written for onnxruntime-node keeps working —
 *   - `auto`, `cpu`      → wasm
 *   - `cuda`, `webgpu`   → unavailable (they need onnxruntime-node) → wasm, with the usual fallback
 *                          warning, or `provider-unavailable` with `strict: true`
 * (the `onnxruntime-web-node` row of DEVICE_TABLE). Files are read as with onnxruntime-node
 * (read-file-node.ts: paths, file: URLs, http(s), the same size checks).
 *
 * onnxruntime-web is imported when the first session needs it, never before: the Node entry
 * holds this module whether or not onnxruntime-node is there. The first session of the process
 * says once, through `onWarning`, that models run on wasm and how to get the native runtime.
 * `import('onnxruntime-web')` names a package, not a file of vaekit, so rollup keeps it as a
 * dynamic import in the Node build (dist/node.js, which CommonJS apps load through require too).
 */
import { ORT_NODE_PEERS, installLine } from '../optional-peers.js';
import type { GraphSession, RuntimeBackend, SessionOptions } from './backend.js';
import { DEVICE_TABLE, type ExecutionProvider, type NodeDevice, type RuntimeDevices } from './devices.js';
import { type OrtAdapter, openOrtSession } from './open-ort-session.js';
import { type OrtWebModule, ortWebAdapter } from './ort-web-adapter.js';
import { readLocalOrRemote } from './read-file-node.js';

const TABLE: RuntimeDevices<NodeDevice> = DEVICE_TABLE['onnxruntime-web-node'];

/** The once-per-process notice, sent on the first session. */
export const WASM_NOTICE =
  "vaekit: onnxruntime-node is not installed, so models run on onnxruntime-web's wasm build (CPU, slower than native); " +
  `for native speed and the cuda/webgpu devices: ${installLine(ORT_NODE_PEERS)}`;

let noticed = false;
let adapter: Promise<OrtAdapter<NodeDevice>> | undefined;

/** cuda and webgpu exist only in onnxruntime-node; wasm (the fallback) is never asked about. */
function unavailableReason(provider: ExecutionProvider): string | null {
  return provider === 'cuda' || provider === 'webgpu' ? `needs onnxruntime-node, which is not installed (${installLine(ORT_NODE_PEERS)})` : null;
}

function loadAdapter(): Promise<OrtAdapter<NodeDevice>> {
  adapter ??= import('onnxruntime-web').then(
    (ort: OrtWebModule) => {
      const web = ortWebAdapter(ort, TABLE, unavailableReason);
      return {
        ...web,
        // After the options are checked (onWarning is a function) and before the first attempt.
        prepare: (o) => {
          web.prepare?.(o);
          if (noticed) return;
          noticed = true;
          o.onWarning(WASM_NOTICE);
        },
      };
    },
    (error: unknown) => {
      adapter = undefined; // a later session may try again
      throw error;
    },
  );
  return adapter;
}

/**
 * onnxruntime-web's wasm build under the Node device names `auto` | `cpu` | `webgpu` | `cuda`;
 * `readFile` takes a path, a file: URL or an http(s) URL. `session.provider` is always `wasm`.
 */
export const ortWebNodeBackend: RuntimeBackend = {
  name: 'onnxruntime-web',
  devices: TABLE.devices,
  createSession: async (model: Uint8Array, options?: SessionOptions): Promise<GraphSession> => openOrtSession(await loadAdapter(), model, options),
  readFile: readLocalOrRemote,
};
