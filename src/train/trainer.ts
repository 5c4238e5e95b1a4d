import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { VaekitError } from '../errors.js';
import { NormalSampler } from '../sampler/index.js';
import { writeFileAtomic } from './run/atomic-write.js';
import { ensureWritable, listRun } from './run/run-files.js';
import { appendFileSynced } from './run/durable-fs.js';
import { assertWritable, inspectRunFolder } from './run/output-folder.js';
import { selectBackend, type TrainBackend } from './backend/select-backend.js';
import { adversarialAdam, adversarialStep, createAdversarialContext, type AdversarialContext } from './objective/adversarial-step.js';
import {
  loadCheckpoint, restoreOptimizer, saveCheckpoint, type CheckpointModels, type CheckpointOptimizers,
} from './run/checkpoint.js';
import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './config.js';
import { trainOptionSpec } from './options/train-options.js';
import { loadDataset, subsetDataset } from './data/load-dataset.js';
import { conditionClasses } from './objective/condition.js';
import { featureCount, gatherRows, oneHotLabels, type Dataset } from './data/dataset.js';
import { seededPermutation } from './data/shuffle.js';
import { evaluateSplit, type SplitEvaluation } from './objective/evaluate.js';
import { iwaeNegLogLikelihood } from './objective/iwae.js';
import { latentMatch, type LatentMatch } from './objective/latent-match.js';
import { writeLatentPicture } from './run/latent-picture.js';
import type { EpochMetrics, FinalMetrics } from './objective/metrics.js';
import { buildVae } from './model/build.js';
import { buildDiscriminator } from './model/discriminator.js';
import type { VaeModels } from './model/types.js';
import { saveLayersModel } from './model/model-artifacts.js';
import { initializeOutputBiasFromData } from './model/output-bias.js';
import { writeRunPictures } from './run/run-pictures.js';
import { STREAMS } from './streams.js';
import { trainableVariables, type StepContext } from './objective/train-step.js';
import { startStepRunner, type StepRunner } from './parallel/step-runner.js';
import { ADAM } from './objective/adam-settings.js';
import type { TrainEvent } from './train-events.js';

export interface TrainOptions extends TrainConfigInput {
  /**
   * Run folder: metrics, checkpoints, pictures and the final model go here. It must be missing,
   * empty or a run folder vaekit wrote (see output-folder.ts); otherwise `refused-overwrite`.
   */
  out: string;
  /** Train into a folder holding files vaekit did not write: only vaekit's entries are replaced, the others stay. */
  force?: boolean;
  /** tfjs backend; `auto` = tensorflow → wasm → cpu. */
  backend?: TrainBackend | 'auto';
  /** Train on this data set instead of loading `data` by name. */
  dataset?: Dataset;
  /** Receives progress: start, every batch, every epoch, evaluation phases, done. */
  onEvent?: (event: TrainEvent) => void;
  /** Stop after this many epochs of this call (the run stays resumable); for tests and schedulers. */
  stopAfterEpochs?: number;
}

export interface ResumeOptions {
  backend?: TrainBackend | 'auto';
  /** Training threads from here on (default: the run's); another count than the run's changes its figures by float32 summation order. */
  workers?: number | 'auto';
  /** Train to this many epochs in total (default: the run's configured epochs). */
  epochs?: number;
  dataset?: Dataset;
  onEvent?: (event: TrainEvent) => void;
  stopAfterEpochs?: number;
}

export interface TrainResult {
  runDir: string;
  backend: TrainBackend;
  config: TrainConfig;
  history: EpochMetrics[];
  /** Null when the call stopped early (`stopAfterEpochs`). */
  final: FinalMetrics | null;
  /** Files of the run folder, relative to it. */
  files: string[];
  /** The trained tfjs models (dispose them when done) and the data they were trained on. */
  models: VaeModels;
  dataset: Dataset;
}

/**
 * Trains a VAE and writes a run folder: `config.json`, `metrics.jsonl` (one object per epoch and
 * a final one with the IWAE NLL), a checkpoint after every epoch, `loss-curve.png`,
 * `samples.png`, `reconstructions.png` and the final tfjs models in `model/`.
 *
 * @example
 * ```ts
 * import { train } from 'vaekit/train';
 * const result = await train({ data: 'mnist', epochs: 20, seed: 1, out: 'runs/mnist' });
 * console.log(result.final?.testNegElbo, result.final?.testIwaeNll);
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const config = resolveTrainConfig(options);
  const runDir = resolve(options.out);
  assertWritable(`'out'`, runDir, 'run', await inspectRunFolder(runDir), options.force ?? false);
  await ensureWritable(runDir);
  const backend = await selectBackend(options.backend ?? 'auto');
  const dataset = subsetDataset(options.dataset ?? (await loadDataset(config.data, config.dataOptions ?? {})), config);
  const [lo, hi] = dataset.valueRange;
  if (config.likelihood.kind === 'bernoulli' && (lo < 0 || hi > 1)) {
    throw new VaekitError(
      'invalid-argument',
      `'likelihood' bernoulli needs data in [0, 1]; ${dataset.name} lies in [${lo}, ${hi}] — use 'likelihood' gaussian, or 'scaling' min-max for csv data`,
    );
  }
  const classes = conditionClasses(config, dataset);
  const models = buildVae(config.architecture, {
    inputShape: dataset.shape,
    likelihood: config.likelihood,
    valueRange: dataset.valueRange,
    seed: config.seed,
    ...(classes ? { classes } : {}),
  });
  if (config.likelihood.kind === 'bernoulli' || isUnitRange(dataset.valueRange)) {
    initializeOutputBiasFromData(models.decoder, dataset.train, featureCount(dataset));
  }
  await writeFileAtomic(join(runDir, 'config.json'), JSON.stringify({ ...config, dataSource: dataset.source }, null, 2));
  await writeFileAtomic(join(runDir, 'metrics.jsonl'), '');
  const allModels: CheckpointModels =
    config.objective === 'aae' ? { ...models, discriminator: buildDiscriminator(config.architecture.latentDim, config.seed) } : models;
  return runEpochs({
    runDir, config, dataset, models: allModels, optimizers: createOptimizers(config), backend: backend.name, skipped: backend.skipped,
    startEpoch: 0, step: 0, samplerPosition: 0, history: [], onEvent: options.onEvent,
    stopAfterEpochs: options.stopAfterEpochs,
  });
}

/**
 * Continues a run from its last checkpoint. With the same backend, the resumed run ends with the
 * same metrics, bit for bit, as an uninterrupted one.
 *
 * @example
 * ```ts
 * import { resumeTraining } from 'vaekit/train';
 * await resumeTraining('runs/mnist');
 * ```
 */
export async function resumeTraining(runDirInput: string, options: ResumeOptions = {}): Promise<TrainResult> {
  const runDir = resolve(runDirInput);
  // The checkpoint's tensors need the backend first.
  const backend = await selectBackend(options.backend ?? 'auto');
  const checkpoint = await loadCheckpoint(runDir);
  // Runs written before the AAE existed record no objective; runs written before splitSeed
  // existed split png/csv data with seed 1 whatever their --seed; runs written before the dense
  // step existed trained on tfjs' engine, and continue there.
  const saved = checkpoint.state.config;
  const config: TrainConfig = {
    ...saved, objective: saved.objective ?? 'elbo', workers: saved.workers ?? 1, engine: saved.engine ?? 'tfjs', adversarialLearningRate: saved.adversarialLearningRate ?? (trainOptionSpec('adversarialLearningRate').default as number),
    dataOptions: (saved.data === 'png' || saved.data === 'csv') && saved.dataOptions.splitSeed === undefined ? { ...saved.dataOptions, splitSeed: 1 } : saved.dataOptions,
  };
  if (options.epochs !== undefined) config.epochs = resolveTrainConfig({ epochs: options.epochs }).epochs;
  if (options.workers !== undefined) config.workers = resolveTrainConfig({ workers: options.workers, objective: config.objective }).workers;
  if (config.epochs < checkpoint.state.epoch) {
    throw new VaekitError('invalid-argument', `'epochs' must be at least the ${checkpoint.state.epoch} epochs already trained; found ${config.epochs}`);
  }
  const dataset = subsetDataset(options.dataset ?? (await loadDataset(config.data, config.dataOptions ?? {})), config);
  const optimizers = createOptimizers(config);
  await restoreOptimizer(optimizers.model, checkpoint);
  if (optimizers.discriminator) await restoreOptimizer(optimizers.discriminator, checkpoint, 'discriminator');
  if (optimizers.generator) await restoreOptimizer(optimizers.generator, checkpoint, 'generator');
  // Rewrite metrics.jsonl from the checkpoint: lines written after it (a crash) are dropped.
  await writeFileAtomic(join(runDir, 'metrics.jsonl'), checkpoint.state.history.map((m) => JSON.stringify(m) + '\n').join(''));
  return runEpochs({
    runDir, config, dataset, optimizers,
    models: { encoder: checkpoint.encoder, decoder: checkpoint.decoder, ...(checkpoint.discriminator ? { discriminator: checkpoint.discriminator } : {}) },
    backend: backend.name, skipped: backend.skipped, startEpoch: checkpoint.state.epoch, step: checkpoint.state.step,
    samplerPosition: checkpoint.state.samplerPosition, history: [...checkpoint.state.history], onEvent: options.onEvent,
    stopAfterEpochs: options.stopAfterEpochs,
  });
}

const isUnitRange = (range: [number, number]) => range[0] === 0 && range[1] === 1;

function createOptimizers(config: TrainConfig): CheckpointOptimizers {
  const adam = () => tf.train.adam(config.learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  const adv = () => adversarialAdam(config.adversarialLearningRate);
  return config.objective === 'aae' ? { model: adam(), discriminator: adv(), generator: adv() } : { model: adam() };
}

function disposeOptimizers(optimizers: CheckpointOptimizers): void {
  for (const optimizer of Object.values(optimizers)) optimizer?.dispose();
}

interface RunState {
  runDir: string;
  config: TrainConfig;
  dataset: Dataset;
  models: CheckpointModels;
  optimizers: CheckpointOptimizers;
  backend: TrainBackend;
  skipped: string[];
  startEpoch: number;
  step: number;
  samplerPosition: number;
  history: EpochMetrics[];
  onEvent: ((event: TrainEvent) => void) | undefined;
  stopAfterEpochs: number | undefined;
}

function betaAt(config: TrainConfig, step: number): number {
  return config.warmupSteps > 0 ? config.beta * Math.min(1, step / config.warmupSteps) : config.beta;
}

async function runEpochs(run: RunState): Promise<TrainResult> {
  const { config, dataset, models } = run;
  const classes = conditionClasses(config, dataset);
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer: run.optimizers.model, variables: trainableVariables(models.encoder, models.decoder),
    likelihood: config.likelihood, shape: dataset.shape, latentDim: config.architecture.latentDim, mcSamples: config.mcSamples, freeBits: config.freeBits,
  };
  const adversarial = adversarialContext(run, dataset.shape);
  // A run resumed at its last epoch takes no step.
  const steps = run.startEpoch < config.epochs
    ? await startStepRunner({ ctx, config, backend: run.backend, inputShape: dataset.shape, valueRange: dataset.valueRange, classes: classes ?? null })
    : null;
  try {
    return await trainEpochs(run, adversarial, steps);
  } finally {
    await steps?.close();
  }
}

async function trainEpochs(run: RunState, adversarial: AdversarialContext | null, steps: StepRunner | null): Promise<TrainResult> {
  const { config, dataset, models, runDir } = run;
  const emit = run.onEvent ?? (() => undefined);
  const J = config.architecture.latentDim;
  const features = featureCount(dataset);
  const classes = conditionClasses(config, dataset);
  const trainCount = dataset.train.count;
  const batches = Math.ceil(trainCount / config.batchSize);
  const sampler = new NormalSampler({ seed: config.seed, stream: STREAMS.trainEpsilon });
  sampler.seek(run.samplerPosition);
  let step = run.step;
  const history = run.history;
  const lastEpoch = run.stopAfterEpochs === undefined ? config.epochs : Math.min(config.epochs, run.startEpoch + run.stopAfterEpochs);
  emit({
    type: 'start', backend: run.backend, workers: config.workers, engine: steps?.engine ?? null, skippedBackends: run.skipped, config, runDir, trainCount, inputShape: dataset.shape,
    testCount: dataset.test.count, batchesPerEpoch: batches, resumedFromEpoch: run.startEpoch,
  });
  const xBatch = new Float32Array(config.batchSize * features);
  let lastEvaluation: { test: SplitEvaluation; match: LatentMatch } | undefined;
  for (let epoch = run.startEpoch + 1; epoch <= lastEpoch; epoch++) {
    const epochStart = performance.now();
    const order = seededPermutation(trainCount, { seed: config.seed, stream: STREAMS.shuffle, offset: (epoch - 1) * trainCount });
    let negElboSum = 0;
    let objectiveSum = 0;
    let discriminatorSum = 0;
    let generatorSum = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * config.batchSize;
      const n = Math.min(config.batchSize, trainCount - start);
      const rows = order.subarray(start, start + n);
      const x = gatherRows(dataset.train, features, rows, xBatch.subarray(0, n * features));
      const c = classes ? oneHotLabels(dataset.train, classes, rows) : undefined;
      const eps = sampler.next(config.mcSamples * n * J);
      // An AAE's reconstruction phase is this same step with the KL term off (β = 0).
      const beta = adversarial ? 0 : betaAt(config, step + 1);
      const input = c ? { x, eps, n, beta, c } : { x, eps, n, beta };
      const result = await steps!.step(input);
      if (adversarial) {
        const zEps = sampler.next(n * J);
        const prior = sampler.next(n * J);
        const phases = adversarialStep(adversarial, c ? { x, n, eps: zEps, prior, c } : { x, n, eps: zEps, prior });
        discriminatorSum += phases.discriminatorLoss * n;
        generatorSum += phases.generatorLoss * n;
      }
      step++;
      if (!Number.isFinite(result.objective)) {
        throw new VaekitError('non-finite', `the training loss became ${result.objective} at epoch ${epoch}, batch ${b + 1}; lower the learning rate or check the data`);
      }
      negElboSum += (result.recon + result.kl) * n;
      objectiveSum += result.objective * n;
      emit({
        type: 'batch', epoch, epochs: config.epochs, batch: b + 1, batches, loss: result.recon + result.kl,
        elapsedSeconds: (performance.now() - epochStart) / 1000,
      });
    }
    // The weights and Adam state, into the models and optimizer evaluation and the checkpoint read.
    await steps!.sync();
    const trainSeconds = (performance.now() - epochStart) / 1000;
    emit({ type: 'phase', phase: 'evaluate', epoch });
    const test = evaluateTest(config, dataset, models, epoch);
    const match = testLatentMatch(config, dataset, test);
    lastEvaluation = { test, match };
    const metrics: EpochMetrics = {
      epoch,
      trainNegElbo: negElboSum / trainCount,
      trainObjective: objectiveSum / trainCount,
      testNegElbo: test.negElbo,
      testRecon: test.recon,
      testKl: test.kl,
      activeUnits: test.activeUnits,
      latentMmd: match.mmd,
      ...(adversarial ? { discriminatorLoss: discriminatorSum / trainCount, generatorLoss: generatorSum / trainCount } : {}),
      samplesPerSec: trainCount / trainSeconds,
      beta: betaAt(config, step),
      backend: run.backend,
      workers: config.workers,
      engine: steps!.engine,
      seconds: (performance.now() - epochStart) / 1000,
    };
    history.push(metrics);
    await saveCheckpoint(runDir, models, run.optimizers, {
      epoch, step, config, samplerPosition: sampler.position, history, backend: run.backend,
    });
    await appendFileSynced(join(runDir, 'metrics.jsonl'), JSON.stringify(metrics) + '\n');
    await writeRunPictures(runDir, { history, models, dataset, config, final: false });
    await writeLatentPicture(runDir, { config, dataset, test, match, epoch });
    emit({ type: 'epoch', metrics });
  }
  if (lastEpoch < config.epochs) {
    disposeOptimizers(run.optimizers);
    return { runDir, backend: run.backend, config, history, final: null, files: await listRun(runDir), models, dataset };
  }
  const final = await finish(run, history, emit, lastEvaluation);
  disposeOptimizers(run.optimizers);
  return { runDir, backend: run.backend, config, history, final, files: await listRun(runDir), models, dataset };
}

async function finish(
  run: RunState,
  history: EpochMetrics[],
  emit: (event: TrainEvent) => void,
  lastEvaluation: { test: SplitEvaluation; match: LatentMatch } | undefined,
): Promise<FinalMetrics> {
  const { config, dataset, models, runDir } = run;
  const J = config.architecture.latentDim;
  const last = history[history.length - 1]!;
  // A run resumed at its last epoch trained no epoch in this call: evaluate it again (same ε).
  const { test, match } = lastEvaluation ?? (() => {
    const again = evaluateTest(config, dataset, models, config.epochs);
    return { test: again, match: testLatentMatch(config, dataset, again) };
  })();
  let nll: number | null = null;
  if (config.iwaeSamples > 0) {
    emit({ type: 'phase', phase: 'iwae', done: 0, total: dataset.test.count });
    const classes = conditionClasses(config, dataset);
    nll = iwaeNegLogLikelihood(models, dataset.test, {
      ...(classes ? { classes } : {}),
      likelihood: config.likelihood, shape: dataset.shape, latentDim: J, samples: config.iwaeSamples,
      seed: config.seed, stream: STREAMS.iwaeEpsilon,
      onProgress: (done, total) => emit({ type: 'phase', phase: 'iwae', done, total }),
    });
  }
  const final: FinalMetrics = {
    final: true,
    epochs: config.epochs,
    testNegElbo: last.testNegElbo,
    testRecon: last.testRecon,
    testKl: last.testKl,
    activeUnits: last.activeUnits,
    testIwaeNll: nll,
    iwaeSamples: config.iwaeSamples,
    testBitsPerDim: last.testNegElbo / (featureCount(dataset) * Math.LN2),
    latentMatch: match,
    backend: run.backend,
  };
  await appendFileSynced(join(runDir, 'metrics.jsonl'), JSON.stringify(final) + '\n');
  emit({ type: 'phase', phase: 'model' });
  await saveLayersModel(models.encoder, join(runDir, 'model'), 'encoder');
  await saveLayersModel(models.decoder, join(runDir, 'model'), 'decoder');
  if (models.discriminator) await saveLayersModel(models.discriminator, join(runDir, 'model'), 'discriminator');
  await writeRunPictures(runDir, { history, models, dataset, config, final: true });
  await writeLatentPicture(runDir, { config, dataset, test, match, epoch: config.epochs });
  emit({ type: 'done', final, runDir });
  return final;
}

/** One-sample −ELBO of the test split after `epoch`: epoch e draws ε from offset (e − 1)·count·J of its stream. */
function evaluateTest(config: TrainConfig, dataset: Dataset, models: CheckpointModels, epoch: number): SplitEvaluation {
  const classes = conditionClasses(config, dataset);
  const J = config.architecture.latentDim;
  return evaluateSplit(models, dataset.test, {
    ...(classes ? { classes } : {}),
    likelihood: config.likelihood, shape: dataset.shape, latentDim: J,
    seed: config.seed, stream: STREAMS.evalEpsilon, offset: (epoch - 1) * dataset.test.count * J,
  });
}

function testLatentMatch(config: TrainConfig, dataset: Dataset, test: SplitEvaluation): LatentMatch {
  return latentMatch(test.latents, dataset.test.count, config.architecture.latentDim, { seed: config.seed, stream: STREAMS.latentMatch });
}

/** The adversarial phases' models and optimizers, or null for a VAE. */
function adversarialContext(run: RunState, shape: number[]): AdversarialContext | null {
  const { discriminator } = run.models;
  const { discriminator: discriminatorOptimizer, generator: generatorOptimizer } = run.optimizers;
  if (run.config.objective !== 'aae') return null;
  if (!discriminator || !discriminatorOptimizer || !generatorOptimizer) {
    throw new VaekitError('checkpoint-mismatch', "objective 'aae' needs a discriminator and its optimizers; the run holds none");
  }
  return createAdversarialContext({
    encoder: run.models.encoder, discriminator, discriminatorOptimizer, generatorOptimizer, shape, latentDim: run.config.architecture.latentDim,
  });
}
