import * as tfl from '@tensorflow/tfjs-layers';
import type { BuildOptions } from './mlp.js';

/**
 * The decoder's output heads of the graph contract on its pre-activation output: bernoulli →
 * `logits` (linear) and `mean` (sigmoid); gaussian → `mean` (sigmoid for data in [0, 1], else linear).
 */
export function decoderHeads(pre: tfl.SymbolicTensor, options: Pick<BuildOptions, 'likelihood' | 'valueRange'>): tfl.SymbolicTensor[] {
  if (options.likelihood.kind === 'bernoulli') {
    return [
      tfl.layers.activation({ activation: 'linear', name: 'logits' }).apply(pre) as tfl.SymbolicTensor,
      tfl.layers.activation({ activation: 'sigmoid', name: 'mean' }).apply(pre) as tfl.SymbolicTensor,
    ];
  }
  const unit = options.valueRange[0] === 0 && options.valueRange[1] === 1;
  return [tfl.layers.activation({ activation: unit ? 'sigmoid' : 'linear', name: 'mean' }).apply(pre) as tfl.SymbolicTensor];
}
