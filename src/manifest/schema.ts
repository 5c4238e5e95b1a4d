/**
 * vaekit.json — the manifest beside a model's graphs (docs/manifest.md). Versioned by `format`; the SDK
 * validates it and the graphs' SHA-256 before it creates a session.
 */
export const MANIFEST_FORMAT = 'vaekit/1';
export const MANIFEST_FILE = 'vaekit.json';

/** How raw features were scaled for training; inference applies the same. */
export type InputScaling =
  | { kind: 'min-max'; min: number[]; max: number[] }
  | { kind: 'standardize'; mean: number[]; std: number[] };

/** How one example's values are ordered (src/vae/pixel-layout.ts converts between the image layouts). */
export type InputLayout = 'hwc' | 'chw' | 'features';

export interface ManifestInput {
  /** Shape of one example without the batch dimension, e.g. [28, 28, 1] (hwc) or [1, 28, 28] (chw). */
  shape: number[];
  /**
   * `hwc` for channel-last images (NHWC with the batch), `chw` for channel-first images (NCHW, as
   * PyTorch exports them), `features` for flat rows.
   */
  layout: InputLayout;
  /** Range the (scaled) values lie in. */
  range: [number, number];
  scaling: InputScaling | null;
}

export type ManifestLikelihood =
  | { kind: 'bernoulli' }
  | { kind: 'gaussian'; sigma: number }
  | { kind: 'gaussian-learned' };

export interface ManifestGraph {
  file: string;
  sha256: string;
  bytes: number;
  /** Learned parameters stored in the graph. */
  parameters: number;
  /** Contract name (`x`, `c`, `z`) → the graph's input name. */
  inputs: Record<string, string>;
  /** Contract name (`mu`, `logvar`, `logits`, `mean`, `logvar_x`) → the graph's output name. */
  outputs: Record<string, string>;
}

export interface VaeManifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  description?: string;
  input: ManifestInput;
  latentDim: number;
  /** Conditional VAE: the label input `c` (one-hot over `classes`). */
  condition: null | { classes: number; labels: string[] };
  likelihood: ManifestLikelihood;
  prior: { kind: 'standard-normal' };
  graphs: { encoder: ManifestGraph; decoder: ManifestGraph };
  onnx: { irVersion: number; opset: number };
  /** Precision of the stored weights (computation is float32 either way). */
  precision: 'fp32' | 'fp16';
  producer: { name: string; version: string };
  training: null | {
    dataset: string;
    epochs: number;
    seed: number;
    backend: string;
    config: Record<string, unknown>;
    metrics: Record<string, number | null>;
  };
  /** Score distribution on held-out data, for anomaly percentiles; absent when never calibrated. */
  calibration?: ManifestCalibration;
  /** Export-time comparison of the graphs with the tfjs model, when it ran. */
  verification?: {
    runtime: string;
    tolerance: { absolute: number; relative: number };
    maxAbsDiff: Record<string, number>;
    samples: number;
  };
}

/**
 * The distribution of the anomaly scores on held-out reference data (written at export and by
 * `vaekit calibrate`): `quantiles.p` is an increasing grid of probabilities from 0 to 1, and each
 * score's array holds its value at those probabilities (same length). `vae.anomaly` and
 * `vaekit score` turn a score into a percentile against it (src/vae/calibration.ts).
 */
export interface ManifestCalibration {
  /** The reference data, e.g. `mnist test split (997 rows)`. */
  data: string;
  count: number;
  /** Importance samples of the IWAE score. */
  k: number;
  seed: number;
  quantiles: {
    p: number[];
    /** −ELBO, nats (one ε draw per example). */
    negElbo: number[];
    /** IWAE-k negative log-likelihood, nats. */
    nll: number[];
    /** −ELBO − L(x)·ln 2: corrected for input complexity (Serrà et al., 2020); with `compressor`. */
    negElboComplexity?: number[];
    /** IWAE-k NLL − L(x)·ln 2, nats; with `compressor`. */
    nllComplexity?: number[];
  };
  /**
   * The lossless compressor whose length L(x) (bits) the complexity-adjusted quantiles subtract,
   * e.g. `png-deflate9/fflate-0.8.3`; present exactly when they are.
   */
  compressor?: string;
}

/** The two graphs of a model. */
export type GraphRole = 'encoder' | 'decoder';
