/**
 * `resolveTrainConfig`: fills in defaults and validates a training configuration. Every default
 * and every check comes from the option tables (options/train-options.ts, options/data-options.ts),
 * so messages name library keys and say what was expected, as the CLI's do with flags.
 */
import { availableParallelism } from 'node:os';
import { VaekitError } from '../errors.js';
import type { Likelihood } from './objective/likelihood.js';
import { parseLikelihood } from './objective/likelihood.js';
import { DATA_SOURCE_OPTION, DEFAULT_DATA, checkDataOptions, type DataOptions, type DataSource } from './options/data-options.js';
import { ENGINES, OBJECTIVES, type Engine, type Objective, type TrainConfig, type TrainConfigInput } from './options/train-config.js';
import { HIDDEN_DEFAULTS, trainOptionSpec, type TrainOptionKey } from './options/train-options.js';
import { MAX_WORKERS, checkValue, describeFound } from './options/value-types.js';
import type { TrainBackend } from './backend/select-backend.js';

export { ENGINES, OBJECTIVES, type Engine, type Objective, type TrainConfig, type TrainConfigInput };

/** Sources whose train/test split is drawn by vaekit (the others come split). */
const SPLIT_SOURCES: readonly DataSource[] = ['png', 'csv'];

/** `input[key]`, or the table's default, checked against the option's type. */
function take<T>(input: TrainConfigInput, key: TrainOptionKey, fallback?: T): T {
  const spec = trainOptionSpec(key);
  const value = (input as Record<string, unknown>)[key] ?? fallback ?? spec.default;
  return checkValue(key, spec.type, value) as T;
}

/** An optional option: null when absent. */
function optional<T>(input: TrainConfigInput, key: TrainOptionKey): T | null {
  const value = (input as Record<string, unknown>)[key];
  return value == null ? null : (checkValue(key, trainOptionSpec(key).type, value) as T);
}

function likelihoodOf(input: TrainConfigInput): Likelihood {
  if (typeof input.likelihood === 'object' && input.likelihood !== null) return parseLikelihood(input.likelihood.kind, (input.likelihood as { sigma?: number }).sigma, (input.likelihood as { logvarFloor?: number }).logvarFloor);
  return parseLikelihood(take(input, 'likelihood'), take(input, 'sigma'), take(input, 'logvarFloor'));
}

/**
 * The data options of a run: checked for its source, and for sources that vaekit splits, the
 * split's seed recorded (the run's seed unless given), so the model card says which rows were held out.
 */
function runDataOptions(data: DataSource, input: DataOptions | undefined, seed: number): DataOptions {
  const options = checkDataOptions(data, input ?? {});
  return SPLIT_SOURCES.includes(data) ? { ...options, splitSeed: options.splitSeed ?? seed } : options;
}

/**
 * Fills defaults and validates every field; errors name the field, the expectation and the value.
 *
 * @example
 * ```ts
 * const config = resolveTrainConfig({ data: 'csv', dataOptions: { file: 'sensors.csv' }, seed: 3, hidden: [64] });
 * config.dataOptions.splitSeed; // 3: the run's seed owns the split unless splitSeed is given
 * ```
 */
export function resolveTrainConfig(input: TrainConfigInput = {}): TrainConfig {
  if (typeof input !== 'object' || input === null) throw new VaekitError('invalid-argument', `'options' must be an object; found ${describeFound(input)}`);
  const arch = take<'mlp' | 'conv'>(input, 'arch');
  const hidden = take<number[]>(input, 'hidden', [...HIDDEN_DEFAULTS[arch]]);
  const latentDim = take<number>(input, 'latentDim');
  const seed = take<number>(input, 'seed');
  const objective = take<Objective>(input, 'objective');
  if (objective === 'aae') {
    // These shape the KL term, which an AAE does not have: refuse rather than ignore them.
    for (const key of ['beta', 'warmupSteps', 'freeBits'] as const) {
      const neutral = trainOptionSpec(key).default;
      const value = input[key];
      if (value !== undefined && value !== neutral) {
        throw new VaekitError('invalid-argument', `'${key}' must be ${neutral} with objective 'aae' (it shapes the KL term, which an AAE replaces); found ${describeFound(value)}`);
      }
    }
  }
  const workersInput = take<number | 'auto'>(input, 'workers');
  const workers = workersInput === 'auto' ? Math.min(availableParallelism(), MAX_WORKERS) : workersInput;
  if (objective === 'aae' && workers > 1) {
    throw new VaekitError('invalid-argument', `'workers' must be 1 with objective 'aae' (its adversarial phases train on one thread); found ${describeFound(workersInput)}`);
  }
  const data = checkValue('data', DATA_SOURCE_OPTION.type, input.data ?? DEFAULT_DATA);
  const condition = optional<'label'>(input, 'condition');
  return {
    data,
    dataOptions: runDataOptions(data, input.dataOptions, seed),
    condition,
    architecture:
      arch === 'conv'
        ? { arch, channels: take(input, 'channels'), hidden, latentDim, stride: take(input, 'stride'), activation: 'relu' }
        : { arch, hidden, latentDim, activation: 'relu' },
    likelihood: likelihoodOf(input),
    objective,
    adversarialLearningRate: take(input, 'adversarialLearningRate'),
    epochs: take(input, 'epochs'),
    batchSize: take(input, 'batchSize'),
    learningRate: take(input, 'learningRate'),
    seed,
    beta: take(input, 'beta'),
    warmupSteps: take(input, 'warmupSteps'),
    freeBits: take(input, 'freeBits'),
    mcSamples: take(input, 'mcSamples'),
    workers,
    engine: take(input, 'engine'),
    iwaeSamples: take(input, 'iwaeSamples'),
    maxTrain: optional(input, 'maxTrain'),
    maxTest: optional(input, 'maxTest'),
  };
}

export type { TrainBackend };
