/**
 * The runtime backend interface: how the SDK and the exporter's verification run ONNX graphs
 * without knowing which ONNX Runtime package does it. `ort-node.ts` and `ort-web.ts` implement it
 * and are the only files that import onnxruntime.
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
   * takes the cores another session's run needs; false makes them sleep whenever they find no work.
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
  readFile(location: string | URL, options?: { limit?: ReadLimit }): Promise<Uint8Array>;
}
