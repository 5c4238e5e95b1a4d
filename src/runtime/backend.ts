/**
 * The runtime backend interface: how the SDK and the exporter's verification run ONNX graphs
 * without knowing which ONNX Runtime package does it. `ort-node.ts` and `ort-web.ts` implement it
 * and are the only files that import onnxruntime.
 */

/** A float32 tensor: row-major values and their dimensions. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

export interface SessionOptions {
  /** Execution provider to use; default `cpu`. */
  device?: string;
  /** Intra-op threads (0 = ONNX Runtime's default). */
  threads?: number;
  /** Graph optimization level; default `all`. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

export interface GraphSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** The execution provider that runs the graph. */
  readonly provider: string;
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

export interface RuntimeBackend {
  /** e.g. `onnxruntime-node`. */
  readonly name: string;
  createSession(model: Uint8Array, options?: SessionOptions): Promise<GraphSession>;
}
