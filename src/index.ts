/**
 * vaekit — the isomorphic SDK: load a VAE exported by vaekit (or described by a hand-written
 * vaekit.json) and encode, decode, sample, interpolate and score data with ONNX Runtime. This
 * module imports no runtime package and no `node:` module; the package entry for your platform
 * (Node or browser) registers the ONNX Runtime adapter.
 *
 * @example
 * ```ts
 * import { Vae } from 'vaekit';
 * const vae = await Vae.load('models/mnist-mlp', { device: 'cpu' });
 * const { mean } = await vae.sample(64, { seed: 7, temperature: 0.8 });   // 64 × 28 × 28 × 1
 * await vae.dispose();
 * ```
 */
export {
  Vae,
  type LoadOptions,
  type ConnectOptions,
  type RandomOptions,
  type EncodeResult,
  type DecodeResult,
  type LatentsAndDecoded,
  type ScoreResult,
  type ElboResult,
  type VaeInfo,
} from './vae/vae.js';
export type { VaeTensor } from './vae/tensor.js';
export type { AnomalyOptions, AnomalyResult, AnomalyScoreKind } from './vae/anomaly.js';
export { scorePercentiles, type CalibratedScore } from './vae/calibration.js';
export type { RemoteOptions } from './runtime/remote.js';
export type { ExamplesInput, ImageDataLike } from './vae/inputs.js';
export type { ConditionInput } from './vae/conditions.js';
export type { ModelSource, GraphBytes, LoadProgress } from './vae/model-source.js';
export { lerp, slerp, cornerGrid, traverseLatent } from './vae/latent.js';
export { parseManifest, verifyGraphIntegrity } from './manifest/index.js';
export { MANIFEST_FORMAT, MANIFEST_FILE, type VaeManifest, type ManifestLikelihood, type ManifestInput, type InputLayout, type InputScaling, type ManifestCalibration } from './manifest/schema.js';
export { setDefaultRuntime } from './runtime/registry.js';
export type { RuntimeBackend, GraphSession, SessionOptions, Device, NodeDevice, WebDevice, ExecutionProvider, TensorData } from './runtime/backend.js';
export {
  DEFAULT_SEED,
  NormalSampler,
  fillStandardNormal,
  fillUniform,
  philox4x32,
  reparameterize,
  samplePrior,
  checkGoldenVectors,
  type StreamOptions,
  type ReparameterizeOptions,
  type SamplePriorOptions,
  type GoldenVectors,
} from './sampler/index.js';
export { VaekitError, type VaekitErrorCode } from './errors.js';
