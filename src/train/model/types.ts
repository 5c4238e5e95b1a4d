/** What every architecture's builder takes and returns (mlp.ts, conv.ts and the layers they share). */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Likelihood } from '../objective/likelihood.js';

export interface VaeModels {
  /** x → [mu, logvar] */
  encoder: tfl.LayersModel;
  /** z → [logits, mean] (bernoulli) or [mean] (gaussian) */
  decoder: tfl.LayersModel;
}

export interface BuildOptions {
  inputShape: number[];
  likelihood: Likelihood;
  /** Range of the data: a [0, 1] range gives the gaussian mean a sigmoid. */
  valueRange: [number, number];
  /** Seed of the weight initializers: the same seed builds the same weights. */
  seed: number;
  /** Conditional VAE: a one-hot label `c` of this many classes reaches every dense layer (dense-trunks.ts). */
  classes?: number;
}
