import * as tfl from '@tensorflow/tfjs-layers';
import { VaekitError } from '../../errors.js';
import { denseDecoderTrunk, denseEncoder } from './dense-trunks.js';
import type { BuildOptions, VaeModels } from './types.js';
import { decoderHeads } from './heads.js';
import { pytorchInitializers } from './init.js';

/** Convolutional VAE for images: strided Conv2D down, a dense bottleneck, Conv2DTranspose up. */
export interface ConvArchitecture {
  arch: 'conv';
  /** Filters of each strided conv layer of the encoder; the decoder mirrors them. Default [32, 64]. */
  channels: number[];
  /** Dense layer sizes between the flattened features and the latent heads. Default [256]. */
  hidden: number[];
  latentDim: number;
  /** Stride of every conv layer (kernel 3, padding same). Default 2. */
  stride: number;
  activation: 'relu';
}

type Sym = tfl.SymbolicTensor;

/**
 * Builds the encoder x [H, W, C] → (mu, logvar) and decoder z → heads as tfjs LayersModels in
 * NHWC, as the exporter converts them. H and W must be divisible by stride^layers.
 */
export function buildConvVae(arch: ConvArchitecture, options: BuildOptions): VaeModels {
  const { inputShape, seed } = options;
  if (inputShape.length !== 3) {
    throw new VaekitError('invalid-argument', `'arch' conv needs image data [H, W, C]; found input shape [${inputShape.join(', ')}] — use 'arch' mlp for tables`);
  }
  const [height, width, channels] = inputShape as [number, number, number];
  const factor = arch.stride ** arch.channels.length;
  if (height % factor !== 0 || width % factor !== 0) {
    throw new VaekitError(
      'invalid-argument',
      `'channels' gives ${arch.channels.length} conv layers of stride ${arch.stride}, which needs H and W divisible by ${factor}; found ${height}×${width}`,
    );
  }
  const init = pytorchInitializers(seed);
  const conv = (filters: number, fanIn: number, name: string, transpose: boolean, activation?: 'relu') =>
    (transpose ? tfl.layers.conv2dTranspose : tfl.layers.conv2d)({
      filters, kernelSize: 3, strides: arch.stride, padding: 'same', activation, name, ...init(fanIn * 9),
    });
  const dense = (units: number, fanIn: number, name: string, activation?: 'relu') =>
    tfl.layers.dense({ units, name, activation, ...init(fanIn) });

  const x = tfl.input({ shape: inputShape, name: 'x' });
  let h: Sym = x;
  let depth = channels;
  arch.channels.forEach((filters, i) => {
    h = conv(filters, depth, `encoder_conv_${i + 1}`, false, arch.activation).apply(h) as Sym;
    depth = filters;
  });
  const small = [height / factor, width / factor, depth] as const;
  const flat = tfl.layers.flatten({ name: 'encoder_flatten' }).apply(h) as Sym;
  const encoder = denseEncoder(x, flat, small[0] * small[1] * small[2], arch, options, dense);
  const trunk = denseDecoderTrunk(arch, options, dense);
  const projectInput = trunk.join(trunk.g, 'decoder_condition_project');
  let g = dense(small[0] * small[1] * small[2], trunk.fanIn + trunk.classes, 'decoder_project', arch.activation).apply(projectInput) as Sym;
  g = tfl.layers.reshape({ targetShape: [...small], name: 'decoder_reshape' }).apply(g) as Sym;
  depth = small[2];
  const up = [...arch.channels].reverse().slice(1);
  up.forEach((filters, i) => {
    g = conv(filters, depth, `decoder_deconv_${i + 1}`, true, arch.activation).apply(g) as Sym;
    depth = filters;
  });
  const pre = trunk.classOffset(conv(channels, depth, 'decoder_output', true).apply(g) as Sym, inputShape);
  const preLogvar = options.likelihood.kind === 'gaussian-learned' ? (conv(channels, depth, 'decoder_logvar', true).apply(g) as Sym) : undefined;
  const decoder = tfl.model({ inputs: trunk.inputs, outputs: decoderHeads(pre, options, preLogvar), name: 'decoder' });
  return { encoder, decoder };
}
