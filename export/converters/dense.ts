import { applyActivation } from './activations.js';
import { weight, type LayerConverter } from './converter.js';

/** Dense: y = act(x·W + b) on the last axis (MatMul broadcasts over leading axes, as tfjs). */
export const convertDense: LayerConverter = (c) => {
  const kernel = weight(c, 'kernel');
  const W = c.graph.addWeight(`${c.hint}/kernel`, kernel.values, kernel.shape);
  let y = c.graph.node('MatMul', [c.inputs[0]!, W], {}, `${c.hint}_matmul`)[0]!;
  if (c.config['useBias'] !== false) {
    const bias = weight(c, 'bias');
    const b = c.graph.addWeight(`${c.hint}/bias`, bias.values, bias.shape);
    y = c.graph.node('Add', [y, b], {}, `${c.hint}_biased`)[0]!;
  }
  return applyActivation(c.graph, c.config['activation'], y, c.hint, c.layer.name);
};
