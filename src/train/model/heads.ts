import * as tfl from '@tensorflow/tfjs-layers';
import type { BuildOptions } from './types.js';

/**
 * The decoder's output heads of the graph contract on its pre-activation output(s): bernoulli →
 * `logits` (linear) and `mean` (sigmoid); gaussian → `mean` (sigmoid for data in [0, 1], else
 * linear); gaussian-learned → `mean` and `logvar_x` = floor + softplus(raw), so the learned
 * variance can never collapse below exp(floor) and training cannot diverge.
 */
export function decoderHeads(
  pre: tfl.SymbolicTensor,
  options: Pick<BuildOptions, 'likelihood' | 'valueRange'>,
  preLogvar?: tfl.SymbolicTensor,
): tfl.SymbolicTensor[] {
  const { likelihood } = options;
  if (likelihood.kind === 'bernoulli') {
    return [
      tfl.layers.activation({ activation: 'linear', name: 'logits' }).apply(pre) as tfl.SymbolicTensor,
      tfl.layers.activation({ activation: 'sigmoid', name: 'mean' }).apply(pre) as tfl.SymbolicTensor,
    ];
  }
  const unit = options.valueRange[0] === 0 && options.valueRange[1] === 1;
  const mean = tfl.layers.activation({ activation: unit ? 'sigmoid' : 'linear', name: 'mean' }).apply(pre) as tfl.SymbolicTensor;
  if (likelihood.kind === 'gaussian') return [mean];
  if (!preLogvar) throw new Error('gaussian-learned needs the decoder’s logvar pre-activation');
  const positive = tfl.layers.activation({ activation: 'softplus', name: 'logvar_x_softplus' }).apply(preLogvar) as tfl.SymbolicTensor;
  const logvarX = tfl.layers.rescaling({ scale: 1, offset: likelihood.logvarFloor, name: 'logvar_x' }).apply(positive) as tfl.SymbolicTensor;
  return [mean, logvarX];
}
