import type { LayerConverter } from './converter.js';

/** Flatten: the graph keeps tfjs' NHWC layout, so ONNX Flatten gives tfjs' H·W·C order. */
export const convertFlatten: LayerConverter = (c) => c.graph.node('Flatten', [c.inputs[0]!], { axis: 1 }, c.hint)[0]!;

/** Reshape to [batch, …targetShape]; 0 copies the (symbolic) batch dimension. */
export const convertReshape: LayerConverter = (c) => {
  const target = c.config['targetShape'] as number[];
  const shape = c.graph.addInt64Constant(`${c.hint}/shape`, [0, ...target]);
  return c.graph.node('Reshape', [c.inputs[0]!, shape], {}, c.hint)[0]!;
};

/** Dropout is the identity at inference. */
export const convertDropout: LayerConverter = (c) => c.inputs[0]!;
