/**
 * The runtime backend interface: how the SDK and the exporter's verification run ONNX graphs
 * without knowing which ONNX Runtime package does it. `ort-node.ts` (onnxruntime-node),
 * `ort-web.ts`/`ort-web-wasm.ts` (onnxruntime-web in browsers) and `ort-web-node.ts`
 * (onnxruntime-web in Node) implement it; they and their shared adapter files are the only files
 * that import onnxruntime.
 */
import type { VaekitErrorCode } from '../errors.js';
import type { Device, ExecutionProvider } from './devices.js';

export type { Device, ExecutionProvider, NodeDevice, WebDevice } from './devices.js';

/** A float32 tensor: row-major values and their dimensions. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

export interface SessionOptions {
  /**
   * Where to run: Node `auto` | `cpu` | `webgpu` | `cuda`, browser `auto` | `wasm` | `webgpu`
   * (devices.ts lists the providers each tries); default `auto`.
   */
  device?: Device;
  /** Throw `provider-unavailable` instead of falling back when the device cannot be used. Default false. */
  strict?: boolean;
  /** Intra-op threads (0 = ONNX Runtime's default). */
  threads?: number;
  /** Graph optimization level; default `all`. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Receives fallback warnings; default console.warn. */
  onWarning?: (message: string) => void;
  /**
   * Let intra-op threads spin between the parallel sections of a run instead of sleeping
   * (default true). Node: they stop spinning as soon as the run returns, so an idle session never
   * takes the cores another session's run needs; false makes them sleep whenever they find no work
   * (Node and onnxruntime-web's wasm threads alike).
   */
  spinning?: boolean;
}

export interface GraphSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The execution provider that runs the graph (after any fallback). */
  readonly provider: ExecutionProvider;
  /** Runs the graph; with `outputs`, computes only those (ONNX Runtime skips the other nodes). */
  run(feeds: Record<string, TensorData>, outputs?: readonly string[]): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/**
 * A size bound a read checks before it reads a byte (from `stat` or `Content-Length`) and while it
 * reads (a body longer than announced is cut off): hostile files cannot exhaust memory.
 */
export interface ReadLimit {
  /** The most bytes accepted; with `exact`, the only size accepted. */
  bytes: number;
  exact?: boolean;
  /** The error code of a refusal, e.g. `integrity-mismatch` for a graph the manifest sized. */
  code: VaekitErrorCode;
  /** What the file is, for the message: e.g. "the manifest (vaekit.json)". */
  what: string;
  /** How to fix it, appended to the message. */
  hint?: string;
}

/** How `readFile` reads: its size bound, progress, cancellation and (for URLs) the fetch to use. */
export interface ReadOptions {
  /** Refuse a file of the wrong size, before reading it where the size is announced. */
  limit?: ReadLimit;
  /**
   * Called as bytes arrive, with the bytes read so far and the file's size: `limit.bytes` when
   * exact, else the size on disk or the Content-Length, else the bytes read so far. Never
   * decreases; the last call has loaded === total.
   */
  onProgress?: (loaded: number, total: number) => void;
  /** Aborting it stops the read (the fetch is aborted, a file read stops between chunks): `aborted`. */
  signal?: AbortSignal;
  /** The fetch used for URLs (headers, credentials); default the global `fetch`. Not used for paths. */
  fetch?: typeof globalThis.fetch;
}

export interface RuntimeBackend {
  /** e.g. `onnxruntime-node`. */
  readonly name: string;
  /** Device names this backend accepts, `auto` included. */
  readonly devices: readonly Device[];
  createSession(model: Uint8Array, options?: SessionOptions): Promise<GraphSession>;
  /**
   * Reads a file: a path or file: URL (Node: regular files only, never a FIFO or device), or an
   * http(s) URL (both). With `limit`, a file of the wrong size is refused before it is read.
   */
  readFile(location: string | URL, options?: ReadOptions): Promise<Uint8Array>;
}
