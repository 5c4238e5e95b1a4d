import type * as tfl from '@tensorflow/tfjs-layers';
import { VaekitError } from '../../src/errors.js';
import type { GraphBuilder } from '../graph-builder.js';

/** A tensor shape as tfjs-layers reports it: null for the batch dimension. */
export type Shape = Array<number | null>;

/** One weight of a layer, by its short name (`kernel`, `bias`, `gamma`, …). */
export interface LayerWeight {
  values: Float32Array;
  shape: number[];
}

/** What a converter gets for one application of a tfjs layer. */
export interface LayerConversion {
  layer: tfl.layers.Layer;
  /** `layer.getConfig()`: the layer's settings (units, activation, padding, …). */
  config: Record<string, unknown>;
  /** Graph value names of the inputs, in the layer's order. */
  inputs: string[];
  inputShapes: Shape[];
  outputShape: Shape;
  weights: Map<string, LayerWeight>;
  graph: GraphBuilder;
  /** Name hint for the values the layer produces (the layer's name). */
  hint: string;
}

/** Converts one tfjs layer application into ONNX nodes; returns the output value's name. */
export type LayerConverter = (conversion: LayerConversion) => string;

/** The weight `name` of the layer, or an error naming the layer and what it has. */
export function weight(c: LayerConversion, name: string): LayerWeight {
  const w = c.weights.get(name);
  if (!w) {
    throw new VaekitError(
      'invalid-argument',
      `layer '${c.layer.name}' (${c.layer.getClassName()}) has no weight '${name}'; it has ${[...c.weights.keys()].join(', ') || 'none'}`,
    );
  }
  return w;
}

/** tfjs' NHWC → ONNX' NCHW and back. */
export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];
