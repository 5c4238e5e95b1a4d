import { applyActivation } from './activations.js';
import type { LayerConverter } from './converter.js';

/** Activation layer: the activation alone (a linear one adds no node). */
export const convertActivation: LayerConverter = (c) =>
  applyActivation(c.graph, c.config['activation'], c.inputs[0]!, c.hint, c.layer.name);
