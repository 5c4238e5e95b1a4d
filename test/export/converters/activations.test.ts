import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../export/convert-model.js';
import { thrown } from '../../helpers/thrown.js';
import { expectMatchesTfjs, modelOf, useWasm } from './harness.js';

beforeAll(useWasm);

type Identifier = Parameters<typeof tfl.layers.activation>[0]['activation'];
const ACTIVATIONS: Identifier[] = ['linear', 'relu', 'elu', 'selu', 'softplus', 'swish', 'tanh', 'sigmoid'];

describe('activations against tfjs', () => {
  it.each(ACTIVATIONS)('Dense with activation %s', async (activation) => {
    // Inputs ~ N(0, 1) through a 1/√fan-in kernel: pre-activations span both signs.
    const model = modelOf([32], (x) => tfl.layers.dense({ units: 24, activation, name: 'd' }).apply(x) as tfl.SymbolicTensor);
    await expectMatchesTfjs(model, { label: `Dense ${activation}` });
  });

  it.each(ACTIVATIONS)('Activation layer %s on inputs ~ N(0, 10²): the tails too', async (activation) => {
    const model = modelOf([7, 7, 8], (x) => tfl.layers.activation({ activation, name: 'act' }).apply(x) as tfl.SymbolicTensor);
    await expectMatchesTfjs(model, { inputStd: 10, label: `Activation ${activation}` });
  });

  it('refuses an activation it cannot export, naming the layer and the supported ones', () => {
    const model = modelOf([4], (x) => tfl.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }).apply(x) as tfl.SymbolicTensor);
    const error = thrown(() => convertLayersModel(model, { name: 'e', inputNames: ['x'], outputNames: ['y'], producerVersion: 't' }));
    expect(error.message).toMatch(/layer 'probs' uses the activation 'softmax'.*supported: linear, relu/);
  });
});
