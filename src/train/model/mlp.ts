import * as tfl from '@tensorflow/tfjs-layers';
import type { Likelihood } from '../likelihood.js';

/** Architecture of the MLP VAE; the default is the pytorch/examples reference 784-400-20. */
export interface MlpArchitecture {
  arch: 'mlp';
  /** Hidden layer sizes of the encoder; the decoder mirrors them. Default [400]. */
  hidden: number[];
  latentDim: number;
  activation: 'relu';
}

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
}

/**
 * Builds the encoder and decoder as tfjs LayersModels whose inputs and outputs follow the graph
 * contract of DESIGN.md (the exporter converts exactly these).
 */
export function buildMlpVae(arch: MlpArchitecture, options: BuildOptions): VaeModels {
  const { inputShape, likelihood, seed } = options;
  const features = inputShape.reduce((a, b) => a * b, 1);
  let layerSeed = seed * 1009;
  let fanIn = features;
  // PyTorch's nn.Linear initialization (weights and biases ~ U(±1/√fan_in)), as in the reference
  // runs of VAE.md; it trains this model to a lower −ELBO than tfjs' Glorot default with zero bias.
  const dense = (units: number, name: string, activation?: 'relu', inputs = fanIn) => {
    const bound = 1 / Math.sqrt(inputs);
    fanIn = units;
    return tfl.layers.dense({
      units,
      name,
      activation,
      kernelInitializer: tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: layerSeed++ }),
      biasInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed: layerSeed++ }),
    });
  };

  const x = tfl.input({ shape: inputShape, name: 'x' });
  let h = inputShape.length > 1 ? (tfl.layers.flatten({ name: 'encoder_flatten' }).apply(x) as tfl.SymbolicTensor) : x;
  arch.hidden.forEach((units, i) => {
    h = dense(units, `encoder_dense_${i + 1}`, arch.activation).apply(h) as tfl.SymbolicTensor;
  });
  const headFanIn = fanIn;
  const mu = dense(arch.latentDim, 'mu', undefined, headFanIn).apply(h) as tfl.SymbolicTensor;
  const logvar = dense(arch.latentDim, 'logvar', undefined, headFanIn).apply(h) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: x, outputs: [mu, logvar], name: 'encoder' });

  const z = tfl.input({ shape: [arch.latentDim], name: 'z' });
  fanIn = arch.latentDim;
  let g: tfl.SymbolicTensor = z;
  [...arch.hidden].reverse().forEach((units, i) => {
    g = dense(units, `decoder_dense_${i + 1}`, arch.activation).apply(g) as tfl.SymbolicTensor;
  });
  const flat = dense(features, 'decoder_output').apply(g) as tfl.SymbolicTensor;
  const shaped =
    inputShape.length > 1
      ? (tfl.layers.reshape({ targetShape: inputShape, name: 'decoder_reshape' }).apply(flat) as tfl.SymbolicTensor)
      : flat;
  let outputs: tfl.SymbolicTensor[];
  if (likelihood.kind === 'bernoulli') {
    const logits = tfl.layers.activation({ activation: 'linear', name: 'logits' }).apply(shaped) as tfl.SymbolicTensor;
    const mean = tfl.layers.activation({ activation: 'sigmoid', name: 'mean' }).apply(shaped) as tfl.SymbolicTensor;
    outputs = [logits, mean];
  } else {
    const unit = options.valueRange[0] === 0 && options.valueRange[1] === 1;
    const mean = tfl.layers.activation({ activation: unit ? 'sigmoid' : 'linear', name: 'mean' }).apply(shaped) as tfl.SymbolicTensor;
    outputs = [mean];
  }
  const decoder = tfl.model({ inputs: z, outputs, name: 'decoder' });
  return { encoder, decoder };
}
