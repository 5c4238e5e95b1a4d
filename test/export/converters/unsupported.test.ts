import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../export/convert-model.js';
import { supportedLayerClasses } from '../../../export/converters/index.js';
import { thrown } from '../../helpers/thrown.js';
import { modelOf, useWasm } from './harness.js';

// Building a layer creates its weights, which needs a tfjs backend.
beforeAll(useWasm);

function convert(model: tfl.LayersModel) {
  return () => convertLayersModel(model, { name: 'e', inputNames: ['x'], outputNames: ['y'], producerVersion: 't' });
}

describe('unsupported layers', () => {
  it('registers the new converters by tfjs class name', () => {
    expect(supportedLayerClasses()).toEqual(
      expect.arrayContaining(['Conv2D', 'Conv2DTranspose', 'BatchNormalization', 'Concatenate', 'Add', 'LeakyReLU']),
    );
  });

  // GRU's default orthogonal initializer calls tensor.flatten(), a chained op that plain
  // @tensorflow/tfjs-core (without the union package) does not register.
  it.each([
    ['MaxPooling2D', 'pool', [28, 28, 1], (x: tfl.SymbolicTensor) => tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(x)],
    ['GRU', 'gru', [10, 4], (x: tfl.SymbolicTensor) => tfl.layers.gru({ units: 3, recurrentInitializer: 'glorotNormal', name: 'gru' }).apply(x)],
  ] as const)('%s fails naming the layer, its class and the supported classes', (className, name, shape, build) => {
    const error = thrown(convert(modelOf([...shape], (x) => build(x) as tfl.SymbolicTensor)));
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toContain(`layer '${name}' of class ${className}`);
    expect(error.message).toContain(`supported layer classes: ${supportedLayerClasses().join(', ')}`);
  });
});
