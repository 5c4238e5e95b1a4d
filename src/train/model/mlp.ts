import * as tfl from '@tensorflow/tfjs-layers';
import { denseDecoderTrunk, denseEncoder } from './dense-trunks.js';
import { decoderHeads } from './heads.js';
import { pytorchInitializers } from './init.js';
import type { BuildOptions, VaeModels } from './types.js';

/** Architecture of the MLP VAE; the default is the pytorch/examples reference 784-400-20. */
export interface MlpArchitecture {
  arch: 'mlp';
  /** Hidden layer sizes of the encoder; the decoder mirrors them. Default [400]. */
  hidden: number[];
  latentDim: number;
  activation: 'relu';
}

type Sym = tfl.SymbolicTensor;

/**
 * Builds the encoder and decoder as tfjs LayersModels whose inputs and outputs follow the graph
 * contract of docs/architecture.md (the exporter converts exactly these).
 */
export function buildMlpVae(arch: MlpArchitecture, options: BuildOptions): VaeModels {
  const { inputShape, seed } = options;
  const features = inputShape.reduce((a, b) => a * b, 1);
  const init = pytorchInitializers(seed);
  const dense = (units: number, fanIn: number, name: string, activation?: 'relu') =>
    tfl.layers.dense({ units, name, activation, ...init(fanIn) });

  const x = tfl.input({ shape: inputShape, name: 'x' });
  const flat = inputShape.length > 1 ? (tfl.layers.flatten({ name: 'encoder_flatten' }).apply(x) as Sym) : x;
  const encoder = denseEncoder(x, flat, features, arch, options, dense);
  const { inputs, g, fanIn, classOffset } = denseDecoderTrunk(arch, options, dense);
  const shape = (flat: Sym, name: string) =>
    inputShape.length > 1 ? (tfl.layers.reshape({ targetShape: inputShape, name }).apply(flat) as Sym) : flat;
  const pre = classOffset(shape(dense(features, fanIn, 'decoder_output').apply(g) as Sym, 'decoder_reshape'), inputShape);
  const preLogvar =
    options.likelihood.kind === 'gaussian-learned'
      ? shape(dense(features, fanIn, 'decoder_logvar').apply(g) as Sym, 'decoder_logvar_reshape')
      : undefined;
  const decoder = tfl.model({ inputs, outputs: decoderHeads(pre, options, preLogvar), name: 'decoder' });
  return { encoder, decoder };
}
