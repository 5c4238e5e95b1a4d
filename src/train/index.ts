/**
 * vaekit/train — the Node-only training API.
 *
 * @example
 * ```ts
 * import { train } from 'vaekit/train';
 * const run = await train({ data: 'mnist', epochs: 20, seed: 1, out: 'runs/mnist' });
 * console.log(run.backend, run.final?.testNegElbo);
 * ```
 */
export { train, resumeTraining, type TrainOptions, type ResumeOptions, type TrainResult } from './trainer.js';
export { resolveTrainConfig, ENGINES, OBJECTIVES, type Engine, type Objective, type TrainConfig, type TrainConfigInput } from './config.js';
export { DATA_OPTIONS, DATA_SOURCE_OPTION, DEFAULT_DATA, checkDataOptions, type DataOptions, type DataSource } from './options/data-options.js';
export { TRAIN_OPTIONS, type TrainOptionSpec } from './options/train-options.js';
export { RUN_OPTIONS } from './options/run-options.js';
export type { OptionSpec } from './options/option-spec.js';
export type { ValueType } from './options/value-types.js';
export { selectBackend, TRAIN_BACKENDS, type TrainBackend, type SelectedBackend } from './backend/select-backend.js';
export { loadDataset, subsetDataset, DATA_SOURCES } from './data/load-dataset.js';
export { loadEmbeddedMnist, type EmbeddedMnistOptions } from './data/mnist-embedded.js';
export type { Dataset, DataSplit } from './data/dataset.js';
export { buildMlpVae, type MlpArchitecture } from './model/mlp.js';
export type { VaeModels } from './model/types.js';
export { parseLikelihood, type Likelihood } from './objective/likelihood.js';
export { evaluateSplit, type SplitEvaluation } from './objective/evaluate.js';
export { iwaeNegLogLikelihood, type IwaeOptions } from './objective/iwae.js';
export { latentMatch, mmdImq, type LatentMatch } from './objective/latent-match.js';
export { buildDiscriminator } from './model/discriminator.js';
export { loadCheckpoint } from './run/checkpoint.js';
export type { EpochMetrics, FinalMetrics } from './objective/metrics.js';
export type { TrainEvent } from './train-events.js';
export { exportRun, type ExportRunOptions, type ExportRunResult } from './run/export-run.js';
export { ortNodeBackend } from '../runtime/ort-node.js';
export { nodeRuntime } from '../runtime/node-runtime.js';
export { VaekitError, type VaekitErrorCode } from '../errors.js';
