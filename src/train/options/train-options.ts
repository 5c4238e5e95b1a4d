/**
 * The options of a training run: one entry each, from which `resolveTrainConfig` takes its
 * defaults and checks, `vaekit train` its flags, and the model card its command line (`read`
 * says where the value sits in a resolved TrainConfig, `applies` when it matters there).
 */
import { DEFAULT_SEED } from '../../sampler/index.js';
import { LIKELIHOOD_KINDS } from '../objective/likelihood-spec.js';
import { option, type OptionSpec } from './option-spec.js';
import { ENGINES, OBJECTIVES, type TrainConfig } from './train-config.js';
import { finiteNumber, integerList, workerCount, nonNegativeInteger, nonNegativeNumber, oneOf, positiveInteger, positiveNumber } from './value-types.js';

export interface TrainOptionSpec<K extends string = string, T = unknown> extends OptionSpec<K, T> {
  /** The value in a resolved config (default: the field named `key`). */
  readonly read?: (config: TrainConfig) => T | null | undefined;
  /** Whether the option means anything for this config (default: always). */
  readonly applies?: (config: TrainConfig) => boolean;
  /** The default for this config, when it depends on another option. */
  readonly defaultFor?: (config: TrainConfig) => T;
  /** Always shown on the model card's command line, even at its default. */
  readonly always?: true;
}

const trainOption = <const K extends string, T>(spec: TrainOptionSpec<K, T>): TrainOptionSpec<K, T> => option(spec) as TrainOptionSpec<K, T>;
const conv = (c: TrainConfig) => c.architecture.arch === 'conv';

export const HIDDEN_DEFAULTS = { mlp: [400], conv: [256] } as const;

export const TRAIN_OPTIONS = [
  trainOption({ key: 'epochs', flag: '--epochs', placeholder: '<n>', type: positiveInteger, default: 20, always: true, help: 'epochs to train' }),
  trainOption({ key: 'seed', flag: '--seed', placeholder: '<n>', type: nonNegativeInteger, default: DEFAULT_SEED, always: true, help: 'seed of the weights, the shuffling, every ε, and the png/csv train/test split unless --split-seed' }),
  trainOption({ key: 'batchSize', flag: '--batch-size', placeholder: '<n>', type: positiveInteger, default: 128, help: 'examples per Adam step' }),
  trainOption({ key: 'learningRate', flag: '--lr', placeholder: '<x>', type: positiveNumber, default: 1e-3, help: 'Adam learning rate' }),
  trainOption({
    key: 'condition', flag: '--condition', placeholder: '<kind>', type: oneOf(['label'] as const),
    help: 'label: a conditional VAE on the class labels (one-hot c reaches every dense layer, plus a per-class output offset)',
  }),
  trainOption({ key: 'arch', flag: '--arch', placeholder: '<kind>', type: oneOf(['mlp', 'conv'] as const), default: 'mlp', read: (c) => c.architecture.arch, help: 'encoder/decoder architecture (conv: images only)' }),
  trainOption({
    key: 'hidden', flag: '--hidden', placeholder: '<sizes>', type: integerList, defaultHelp: `${HIDDEN_DEFAULTS.mlp.join(',')} (mlp), ${HIDDEN_DEFAULTS.conv.join(',')} (conv)`,
    read: (c) => c.architecture.hidden, defaultFor: (c) => [...HIDDEN_DEFAULTS[c.architecture.arch]], help: 'dense layer sizes, comma-separated (the decoder mirrors them)',
  }),
  trainOption({
    key: 'channels', flag: '--channels', placeholder: '<filters>', type: integerList, default: [32, 64], applies: conv,
    read: (c) => (c.architecture.arch === 'conv' ? c.architecture.channels : undefined), help: 'conv: filters of each strided conv layer',
  }),
  trainOption({
    key: 'stride', flag: '--stride', placeholder: '<n>', type: positiveInteger, default: 2, applies: conv,
    read: (c) => (c.architecture.arch === 'conv' ? c.architecture.stride : undefined), help: 'conv: stride of every conv layer',
  }),
  trainOption({ key: 'latentDim', flag: '--latent-dim', placeholder: '<n>', type: positiveInteger, default: 20, read: (c) => c.architecture.latentDim, help: 'latent dimensions J' }),
  trainOption({ key: 'likelihood', flag: '--likelihood', placeholder: '<kind>', type: oneOf(LIKELIHOOD_KINDS), default: 'bernoulli', read: (c) => c.likelihood.kind, help: 'decoder likelihood p(x|z)' }),
  trainOption({
    key: 'sigma', flag: '--sigma', placeholder: '<x>', type: positiveNumber, default: 1, applies: (c) => c.likelihood.kind === 'gaussian',
    read: (c) => (c.likelihood.kind === 'gaussian' ? c.likelihood.sigma : undefined), help: 'σ of the gaussian likelihood',
  }),
  trainOption({
    key: 'logvarFloor', flag: '--logvar-floor', placeholder: '<x>', type: finiteNumber, default: -6, applies: (c) => c.likelihood.kind === 'gaussian-learned',
    read: (c) => (c.likelihood.kind === 'gaussian-learned' ? c.likelihood.logvarFloor : undefined), help: 'gaussian-learned: logvar_x = floor + softplus(·), so the variance cannot collapse',
  }),
  trainOption({ key: 'objective', flag: '--objective', placeholder: '<name>', type: oneOf(OBJECTIVES), default: 'elbo', help: 'elbo: a VAE; aae: an adversarial autoencoder (a discriminator on z replaces the KL term)' }),
  trainOption({
    key: 'adversarialLearningRate', flag: '--adversarial-lr', placeholder: '<x>', type: positiveNumber, default: 5e-4, applies: (c) => c.objective === 'aae',
    help: "aae: Adam learning rate (β₁ 0.5) of the discriminator and of the encoder's adversarial phase",
  }),
  trainOption({ key: 'beta', flag: '--beta', placeholder: '<x>', type: nonNegativeNumber, default: 1, help: 'weight of the KL term (β-VAE when > 1)' }),
  trainOption({ key: 'warmupSteps', flag: '--warmup', placeholder: '<steps>', type: nonNegativeInteger, default: 0, help: 'KL warm-up: β ramps linearly from 0 over this many steps' }),
  trainOption({ key: 'freeBits', flag: '--free-bits', placeholder: '<nats>', type: nonNegativeNumber, default: 0, help: "floor of each latent dimension's batch-mean KL (nats)" }),
  trainOption({ key: 'mcSamples', flag: '--mc-samples', placeholder: '<L>', type: positiveInteger, default: 1, help: 'Monte Carlo samples of z per example' }),
  trainOption({
    key: 'workers', flag: '--workers', placeholder: '<n>', type: workerCount, default: 1, applies: (c) => c.workers > 1,
    help: 'threads that train together, each on its share of every batch (a number, or auto: one per core); a run is deterministic for a given count',
  }),
  trainOption({
    key: 'engine', flag: '--engine', placeholder: '<name>', type: oneOf(ENGINES), default: 'auto',
    help: "what computes the gradients: dense (vaekit's dense VAE step: MLP, bernoulli or gaussian, no condition), tfjs (tfjs' engine, any model), auto: dense where it applies",
  }),
  trainOption({ key: 'iwaeSamples', flag: '--iwae-samples', placeholder: '<K>', type: nonNegativeInteger, default: 1000, help: 'importance samples of the final test NLL (0 skips it)' }),
  trainOption({ key: 'maxTrain', flag: '--max-train', placeholder: '<n>', type: positiveInteger, help: 'train on a seeded subset of n examples (default: all)' }),
  trainOption({ key: 'maxTest', flag: '--max-test', placeholder: '<n>', type: positiveInteger, help: 'evaluate on a seeded subset of n examples (default: all)' }),
] as const;

export type TrainOptionKey = (typeof TRAIN_OPTIONS)[number]['key'];

/** The spec of a training option by key. */
export function trainOptionSpec(key: TrainOptionKey): TrainOptionSpec {
  return (TRAIN_OPTIONS as readonly TrainOptionSpec[]).find((s) => s.key === key)!;
}
