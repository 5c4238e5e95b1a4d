/** What `vaekit serve` is started with (src/cli/serve-command.ts reads the flags). */

/** How images become a PNG grid: the CLI passes src/train/report/image-grid.ts (serve/ stays out of train/). */
export interface PngEncoders {
  grid(images: Float32Array, options: { count: number; height: number; width: number; channels: 1 | 3; layout?: 'hwc' | 'chw'; columns?: number }): Uint8Array;
  pairs(originals: Float32Array, reconstructions: Float32Array, options: { count: number; height: number; width: number; channels: 1 | 3; layout?: 'hwc' | 'chw'; columns?: number }): Uint8Array;
}

export interface ServeSettings {
  /** Model folders, fixed at start. */
  models: string[];
  host: string;
  /** 0: a free port. */
  port: number;
  /** Rows merged into one run per graph model. */
  maxBatchSize: number;
  maxQueueDelayMs: number;
  /** Requests waiting per graph model (and SDK calls running per model). */
  maxQueue: number;
  /** ONNX Runtime intra-op threads per session (0: its default, one per core). */
  threads?: number;
  /** Rows one request may hold. */
  maxRequestRows: number;
  /** Bytes of one request body. */
  bodyLimit: number;
  /** 0: none. */
  timeoutMs: number;
  /** Bearer token every route but /v2/health/* requires. */
  token?: string;
  /** The one origin CORS allows; off when absent. */
  cors?: string;
  /** pino JSON request logs (true: info to stdout). */
  logger: boolean;
  png?: PngEncoders;
  /** vaekit's version, for GET /v2 (the CLI knows it). */
  version: string;
}

export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  maxBatchSize: 64,
  maxQueueDelayMs: 2,
  maxQueue: 1024,
  maxRequestRows: 4096,
  bodyLimit: 64 * 1024 * 1024,
  timeoutMs: 30_000,
} as const;
