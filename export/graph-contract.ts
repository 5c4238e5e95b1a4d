import type { ManifestLikelihood } from '../src/manifest/schema.js';

/** The graph contract's names (docs/architecture.md), in the order of the tfjs models' inputs and outputs. */
export function contractNames(likelihood: ManifestLikelihood, conditional: boolean) {
  const condition = conditional ? ['c'] : [];
  const decoderOutputs =
    likelihood.kind === 'bernoulli' ? ['logits', 'mean'] : likelihood.kind === 'gaussian' ? ['mean'] : ['mean', 'logvar_x'];
  return {
    encoder: { inputs: ['x', ...condition], outputs: ['mu', 'logvar'] },
    decoder: { inputs: ['z', ...condition], outputs: decoderOutputs },
  };
}
