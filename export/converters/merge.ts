import { VaekitError } from '../../src/errors.js';
import type { LayerConverter } from './converter.js';

/** Concatenate along `axis` (default −1); the graph keeps tfjs' layout, so the axis carries over. */
export const convertConcatenate: LayerConverter = (c) => {
  const rank = c.inputShapes[0]!.length;
  const axis = (c.config['axis'] as number | undefined) ?? -1;
  return c.graph.node('Concat', c.inputs, { axis: axis < 0 ? axis + rank : axis }, c.hint)[0]!;
};

/**
 * Add of two or more inputs as a chain of Adds. Equal ranks only: tfjs' Merge layers expand a
 * lower-rank input at axis 1, where ONNX broadcasting would prepend axes.
 */
export const convertAdd: LayerConverter = (c) => {
  const ranks = c.inputShapes.map((s) => s.length);
  if (ranks.some((r) => r !== ranks[0])) {
    throw new VaekitError(
      'invalid-argument',
      `cannot export layer '${c.layer.name}' (Add): vaekit adds inputs of equal rank; found shapes ${c.inputShapes.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  let sum = c.inputs[0]!;
  for (let i = 1; i < c.inputs.length; i++) {
    sum = c.graph.node('Add', [sum, c.inputs[i]!], {}, i === c.inputs.length - 1 ? c.hint : `${c.hint}_${i}`)[0]!;
  }
  return sum;
};
