/**
 * The onnxruntime-web adapter, given the onnxruntime-web module, a DEVICE_TABLE row and the check
 * that says why a provider cannot work: ort-web.ts builds the browser runtime with it from its
 * static import, ort-web-node.ts the Node fallback runtime from `import('onnxruntime-web')` when
 * its first session needs it. Holds onnxruntime-web's settings (`setWasmPaths`, threads), which it
 * reads once. Only a type import of onnxruntime-web here: importing this module loads no runtime,
 * so the Node entry can hold it without loading onnxruntime-web. Imports no `node:` module.
 */
import type * as OrtWeb from 'onnxruntime-web';
import { VaekitError, describeValue } from '../errors.js';
import type { Device, ExecutionProvider, RuntimeDevices } from './devices.js';
import type { OrtAdapter } from './open-ort-session.js';

const NAME = 'onnxruntime-web';

/** The onnxruntime-web module (or onnxruntime-web/wasm: the same API). */
export type OrtWebModule = typeof OrtWeb;

/** A folder (prefix) holding onnxruntime-web's files, or the two files named one by one. */
export type WasmPaths = string | URL | { wasm?: string | URL; mjs?: string | URL };

/** undefined or null = onnxruntime-web's own lookup (the default). */
let wasmPathsSetting: WasmPaths | null | undefined;
/** The settings the first session started with (onnxruntime-web reads them once). */
let started: { numThreads: number } | undefined;

function toPrefix(paths: string | URL): string {
  const href = paths instanceof URL ? paths.href : paths;
  return href.endsWith('/') ? href : `${href}/`;
}

/**
 * Points onnxruntime-web at its .wasm/.mjs files (`env.wasm.wasmPaths`): a folder URL or
 * `{ wasm, mjs }`; `null` = let onnxruntime-web find them itself. Call it before the first session:
 * onnxruntime-web loads its runtime once, so a later call throws `invalid-argument`.
 */
export function setWasmPaths(paths: WasmPaths | null): void {
  const valid =
    paths === null ||
    (typeof paths === 'string' && paths.length > 0) ||
    paths instanceof URL ||
    (typeof paths === 'object' &&
      (paths.wasm !== undefined || paths.mjs !== undefined) &&
      [paths.wasm, paths.mjs].every((p) => p === undefined || p instanceof URL || (typeof p === 'string' && p.length > 0)));
  if (!valid) {
    throw new VaekitError(
      'invalid-argument',
      `'paths' must be a folder URL or string, an object { wasm, mjs } of file URLs, or null; found ${describeValue(paths)}`,
    );
  }
  if (started) {
    throw new VaekitError(
      'invalid-argument',
      `setWasmPaths() must be called before the first ${NAME} session is created (its runtime is already loaded); found a call after it`,
    );
  }
  wasmPathsSetting = paths;
}

/** The value `env.wasm.wasmPaths` gets: see ort-web.ts's file comment. */
function resolveWasmPaths(): OrtWeb.Env.WasmPrefixOrFilePaths | undefined {
  const setting = wasmPathsSetting;
  if (setting === null || setting === undefined) return undefined;
  if (typeof setting === 'string' || setting instanceof URL) return toPrefix(setting);
  const files: OrtWeb.Env.WasmFilePaths = {};
  if (setting.wasm !== undefined) files.wasm = setting.wasm;
  if (setting.mjs !== undefined) files.mjs = setting.mjs;
  return files;
}

/** Applies threads and file locations before onnxruntime-web's first session. */
function startRuntime(ort: OrtWebModule, threads: number, onWarning: (message: string) => void): void {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const numThreads = isolated ? threads : 1;
  if (started) {
    if (isolated && threads > 0 && threads !== started.numThreads) {
      onWarning(`vaekit: 'threads' ${threads} has no effect: ${NAME} started with ${started.numThreads || 'its default number of'} threads`);
    }
    return;
  }
  ort.env.wasm.numThreads = numThreads;
  const paths = resolveWasmPaths();
  // Leave a value the application set on env.wasm itself when vaekit has no setting of its own.
  if (paths !== undefined && (wasmPathsSetting !== undefined || ort.env.wasm.wasmPaths === undefined)) {
    ort.env.wasm.wasmPaths = paths;
  }
  started = { numThreads };
}

/** The adapter over `ort` for the devices of `table`; `unavailableReason` is checked before each provider but the fallback. */
export function ortWebAdapter<D extends Device>(
  ort: OrtWebModule,
  table: RuntimeDevices<D>,
  unavailableReason: (provider: ExecutionProvider) => string | null | Promise<string | null>,
): OrtAdapter<D> {
  return {
    name: NAME,
    table,
    unavailableReason,
    prepare: (o) => startRuntime(ort, o.threads, o.onWarning),
    create: (bytes, provider, o) =>
      ort.InferenceSession.create(bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: o.graphOptimization,
        // `spinning: false`: wasm threads sleep when they find no work instead of spinning (on a
        // busy machine a spinning thread takes the core the other one needs; bench/browser-decode.ts).
        // A fresh object each time: onnxruntime-web writes its own entries into `extra.session`.
        ...(o.spinning ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
      }),
    makeTensor: (data, dims) => new ort.Tensor('float32', data, dims),
  };
}
