import { convertActivation } from './activation-layer.js';
import { convertBatchNormalization } from './batch-normalization.js';
import { convertConv2D } from './conv2d.js';
import { convertConv2DTranspose } from './conv2d-transpose.js';
import type { LayerConverter } from './converter.js';
import { convertDense } from './dense.js';
import { convertRescaling } from './rescaling.js';
import { convertLeakyReLU } from './leaky-relu.js';
import { convertAdd, convertConcatenate } from './merge.js';
import { convertDropout, convertFlatten, convertReshape } from './shape-layers.js';

/**
 * Converters by tfjs layer class name (`layer.getClassName()`). InputLayer has none: its output
 * is a graph input. Add a custom layer's converter with `registerLayerConverter`.
 */
const converters = new Map<string, LayerConverter>([
  ['Dense', convertDense],
  ['Rescaling', convertRescaling],
  ['Activation', convertActivation],
  ['Flatten', convertFlatten],
  ['Reshape', convertReshape],
  ['Dropout', convertDropout],
  ['Conv2D', convertConv2D],
  ['Conv2DTranspose', convertConv2DTranspose],
  ['BatchNormalization', convertBatchNormalization],
  ['Concatenate', convertConcatenate],
  ['Add', convertAdd],
  ['LeakyReLU', convertLeakyReLU],
]);

export function getLayerConverter(className: string): LayerConverter | undefined {
  return converters.get(className);
}

/** Class names the exporter converts, InputLayer included. */
export function supportedLayerClasses(): string[] {
  return ['InputLayer', ...converters.keys()].sort();
}

/**
 * Teaches the exporter a layer class (e.g. a custom layer of yours).
 *
 * @example
 * ```ts
 * registerLayerConverter('Scale', (c) => {
 *   const k = c.graph.addFloatConstant(`${c.hint}/k`, new Float32Array([c.config.k as number]), []);
 *   return c.graph.node('Mul', [c.inputs[0]!, k], {}, c.hint)[0]!;
 * });
 * ```
 */
export function registerLayerConverter(className: string, converter: LayerConverter): void {
  converters.set(className, converter);
}

export type { LayerConverter, LayerConversion, LayerWeight, Shape } from './converter.js';
