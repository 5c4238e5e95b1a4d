import { buildConvVae, type ConvArchitecture } from './conv.js';
import { buildMlpVae, type MlpArchitecture } from './mlp.js';
import type { BuildOptions, VaeModels } from './types.js';

export type Architecture = MlpArchitecture | ConvArchitecture;

/** The encoder and decoder of `arch` (mlp or conv). */
export function buildVae(arch: Architecture, options: BuildOptions): VaeModels {
  return arch.arch === 'conv' ? buildConvVae(arch, options) : buildMlpVae(arch, options);
}

/** A short description for logs and pictures, e.g. `MLP 784-400-20` or `conv 32-64 · 256-20`. */
export function describeArchitecture(arch: Architecture, features: number): string {
  return arch.arch === 'conv'
    ? `conv ${arch.channels.join('-')} (stride ${arch.stride}) · ${[...arch.hidden, arch.latentDim].join('-')}`
    : `MLP ${[features, ...arch.hidden, arch.latentDim].join('-')}`;
}
