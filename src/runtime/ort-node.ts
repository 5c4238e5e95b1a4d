/**
 * The Node adapter: runs graphs with onnxruntime-node on `cpu`, `webgpu` or `cuda`.
 *
 * onnxruntime-node is an optional peer dependency of vaekit: it is imported on first need, so this
 * module loads without it (the Node entry then registers ort-web-node.ts instead), and using
 * ortNodeBackend without it is `missing-dependency` with the `npm i` line.
 *
 * onnxruntime-node does not fall back by itself: every attempt passes exactly one execution
 * provider, and this adapter walks the list for the requested device (DEVICE_TABLE in devices.ts) —
 *   - `auto`   → cuda (only when the CUDA provider library is installed, else skipped silently) → cpu
 *   - `cuda`   → cuda → cpu
 *   - `webgpu` → webgpu → cpu
 *   - `cpu`    → cpu
 * Falling back to cpu from an explicitly requested device warns through `onWarning` (default
 * console.warn), listing every failure (`[cuda] …, [webgpu] …`), or throws `provider-unavailable`
 * with `strict: true`. `session.provider` names the provider that actually runs the graph.
 *
 * WebGPU: onnxruntime-node 1.30 ships a WebGPU provider (Dawn on Vulkan / Metal / D3D12). On a
 * Linux machine without a GPU it runs on SwiftShader: install Debian's `chromium` and start Node
 * with `LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`.
 * Without any Vulkan driver it fails with "Failed to get a WebGPU adapter: No supported adapters".
 *
 * CUDA (Linux x64 — the one platform onnxruntime-node 1.30's install script fetches it for — with
 * CUDA 12.x and cuDNN 9.x libraries on the loader path and an NVIDIA driver): onnxruntime-node's npm
 * package does not contain the CUDA provider; its postinstall script (script/install.js) downloads
 * it from NuGet (Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0) into
 * node_modules/onnxruntime-node/bin/napi-v6/linux/x64/ (libonnxruntime_providers_cuda.so,
 * libonnxruntime_providers_shared.so, libonnxruntime_providers_tensorrt.so). npm runs that script
 * on install: measured with npm 11.19.1, `npm i` of a package that depends on onnxruntime-node
 * runs it (and without network fails with `getaddrinfo ENOTFOUND api.nuget.org`). Only
 * `onnxruntime-node-install=skip` in .npmrc (vaekit's own .npmrc has it) or the environment
 * variable `ONNXRUNTIME_NODE_INSTALL=skip` skips it. To install the provider later:
 *
 *     ONNXRUNTIME_NODE_INSTALL=true npm rebuild onnxruntime-node
 *
 * (the environment variable is read before npm's config, so it overrides a `skip` in .npmrc; `true`
 * installs what the platform needs, i.e. the CUDA 12 provider on linux/x64). Then pass
 * `device: 'cuda'` (or keep `auto`, which uses CUDA once the library is present).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as OrtNode from 'onnxruntime-node';
import { VaekitError } from '../errors.js';
import { ORT_NODE_PEERS, installLine, missingPeers } from '../optional-peers.js';
import type { RuntimeBackend } from './backend.js';
import { DEVICE_TABLE, type ExecutionProvider, type NodeDevice, type RuntimeDevices } from './devices.js';
import { ortRuntimeBackend } from './open-ort-session.js';
import { readLocalOrRemote } from './read-file-node.js';

const NAME = 'onnxruntime-node';
const TABLE: RuntimeDevices<NodeDevice> = DEVICE_TABLE[NAME];

let loading: Promise<typeof OrtNode> | undefined;
/** Set once `loading` resolves: sessions exist only after it, so their tensors can use it. */
let loaded: typeof OrtNode | undefined;

/**
 * onnxruntime-node, imported on first need (it is an optional peer dependency: importing this
 * module must not fail without it). Not installed: `missing-dependency` with the install line.
 */
function loadOrtNode(): Promise<typeof OrtNode> {
  loading ??= import('onnxruntime-node').then(
    (ort: typeof OrtNode) => (loaded = ort),
    (cause: unknown) => {
      loading = undefined;
      if (missingPeers(ORT_NODE_PEERS).length === 0) throw cause; // installed, but failed to load: its own error
      throw new VaekitError(
        'missing-dependency',
        `onnxruntime-node is not installed (ortNodeBackend runs models with it); install it with:\n  ${installLine(ORT_NODE_PEERS)}`,
        { cause },
      );
    },
  );
  return loading;
}

/** Where onnxruntime-node loads its native binding from (and looks for provider libraries). */
function bindingFolder(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node'); // …/onnxruntime-node/dist/index.js
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * Why the CUDA provider cannot be tried, or null when its library sits next to the binding.
 * Checked before the attempt: without the library onnxruntime fails only after logging a native
 * error to stderr.
 */
export async function cudaUnavailableReason(): Promise<string | null> {
  const ort = await loadOrtNode();
  const listed = ort.listSupportedBackends().some((b) => b.name === 'cuda');
  if (!listed) return `onnxruntime-node has no CUDA provider on ${process.platform}/${process.arch}`;
  const library = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const path = join(bindingFolder(), library);
  if (existsSync(path)) return null;
  return (
    `the CUDA provider library is not installed (${path} is missing; ` +
    `install it with \`ONNXRUNTIME_NODE_INSTALL=true npm rebuild onnxruntime-node\`, see src/runtime/ort-node.ts)`
  );
}

/** Why `provider` cannot be tried before an attempt, or null (only CUDA is checked beforehand). */
function unavailableReason(provider: ExecutionProvider): Promise<string | null> | null {
  return provider === 'cuda' ? cudaUnavailableReason() : null;
}

/**
 * onnxruntime-node. Devices `auto` | `cpu` | `webgpu` | `cuda`; the provider list is always
 * explicit (docs/architecture.md: no implicit backend). `readFile` takes a path, a file: URL or an http(s) URL.
 */
export const ortNodeBackend: RuntimeBackend = ortRuntimeBackend(
  {
    name: NAME,
    table: TABLE,
    unavailableReason,
    create: async (bytes, provider, o) =>
      (await loadOrtNode()).InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: o.graphOptimization,
        intraOpNumThreads: o.threads,
        // Each session has its own thread pool, and a worker left spinning after its run takes
        // the cores the next session's run needs: a Vae's encoder, decoder and scorer take turns
        // in logLikelihood, which ran 1.8× slower so. Spinning is kept within a run (batch-256
        // decode 1.1× faster than never spinning) and stops when it returns (bench/spinning.ts).
        extra: { session: o.spinning ? { force_spinning_stop: '1' } : { intra_op: { allow_spinning: '0' } } },
      }),
    makeTensor: (data, dims) => new loaded!.Tensor('float32', data, dims),
  },
  readLocalOrRemote,
);
