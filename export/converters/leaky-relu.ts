import type { LayerConverter } from './converter.js';

/** LeakyReLU layer (tfjs' default alpha 0.3). `{ float }` keeps alpha 0 or 1 a FLOAT attribute. */
export const convertLeakyReLU: LayerConverter = (c) => {
  const alpha = (c.config['alpha'] as number | undefined) ?? 0.3;
  return c.graph.node('LeakyRelu', [c.inputs[0]!], { alpha: { float: alpha } }, c.hint)[0]!;
};
