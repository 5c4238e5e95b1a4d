import { VaekitError, describeValue } from '../../src/errors.js';
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
 * is a graph input. Add a custom layer's converter with `registerLayerConverter`; replacing one
 * needs `{ override: true }`.
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
const BUILT_IN = new Set(converters.keys());

export function getLayerConverter(className: string): LayerConverter | undefined {
  return converters.get(className);
}

/** Class names the exporter converts, InputLayer included. */
export function supportedLayerClasses(): string[] {
  return ['InputLayer', ...converters.keys()].sort();
}

/**
 * Teaches the exporter a layer class (e.g. a custom layer of yours). A class that already has a
 * converter — a built-in one such as `Dense`, or one registered earlier — is refused unless you
 * pass `{ override: true }`, so two modules cannot silently replace each other's converter;
 * registering the same function again does nothing.
 *
 * @example
 * ```ts
 * import { registerLayerConverter, supportedLayerClasses, type LayerConverter } from 'vaekit/export';
 * const scale: LayerConverter = (c) => {
 *   const k = c.graph.addFloatConstant(`${c.hint}/k`, new Float32Array([c.config.k as number]), []);
 *   return c.graph.node('Mul', [c.inputs[0]!, k], {}, c.hint)[0]!;
 * };
 * registerLayerConverter('Scale', scale);
 * supportedLayerClasses().includes('Scale');   // true
 * registerLayerConverter('Scale', scale);       // the same converter again: nothing happens
 * // Another converter for a class that has one (Scale now, or a built-in such as Dense) throws
 * // invalid-argument, unless the replacement is meant:
 * registerLayerConverter('Scale', (c) => scale({ ...c, config: { ...c.config, k: 2 } }), { override: true });
 * ```
 */
export function registerLayerConverter(className: string, converter: LayerConverter, options: { override?: boolean } = {}): void {
  if (typeof className !== 'string' || className.length === 0) {
    throw new VaekitError('invalid-argument', `'className' must be a non-empty layer class name (layer.getClassName()); found ${describeValue(className)}`);
  }
  if (typeof converter !== 'function') {
    throw new VaekitError('invalid-argument', `'converter' for '${className}' must be a function (conversion) => output name; found ${describeValue(converter)}`);
  }
  if (options == null || typeof options !== 'object') {
    throw new VaekitError('invalid-argument', `'options' must be an object such as { override: true }; found ${describeValue(options)}`);
  }
  const override = options.override ?? false;
  if (typeof override !== 'boolean') {
    throw new VaekitError('invalid-argument', `'override' must be a boolean; found ${describeValue(override)}`);
  }
  if (className === 'InputLayer') {
    throw new VaekitError('invalid-argument', "'className' 'InputLayer' cannot have a converter: the exporter turns an InputLayer into a graph input itself");
  }
  const existing = converters.get(className);
  if (existing && existing !== converter && !override) {
    const which = BUILT_IN.has(className) ? 'a built-in converter' : 'a converter registered earlier';
    throw new VaekitError(
      'invalid-argument',
      `'className' '${className}' already has ${which}; pass { override: true } to replace it, or register your layer under its own class name`,
    );
  }
  converters.set(className, converter);
}

export type { LayerConverter, LayerConversion, LayerWeight, Shape } from './converter.js';
