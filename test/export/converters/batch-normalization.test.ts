import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../export/convert-model.js';
import { thrown } from '../../helpers/thrown.js';
import { expectMatchesTfjs, graphNodes, modelOf, useWasm } from './harness.js';

beforeAll(useWasm);

type BnArgs = Parameters<typeof tfl.layers.batchNormalization>[0];

const settings: Array<[string, BnArgs]> = [
  ['defaults (ε 1e-3)', {}],
  ['ε 1e-5', { epsilon: 1e-5 }],
  ['center false (no β)', { center: false }],
  ['scale false (no γ)', { scale: false }],
  ['neither γ nor β', { center: false, scale: false }],
];

describe('BatchNormalization (inference)', () => {
  it.each(settings)('rank 2, after Dense: %s', async (label, args) => {
    const model = modelOf([20], (x) => {
      const h = tfl.layers.dense({ units: 16, name: 'd' }).apply(x);
      return tfl.layers.batchNormalization({ ...args, name: 'bn' }).apply(h) as tfl.SymbolicTensor;
    });
    await expectMatchesTfjs(model, { label: `BatchNormalization rank 2 ${label}` });
  });

  it.each(settings)('rank 4, after Conv2D (channels last): %s', async (label, args) => {
    const model = modelOf([14, 14, 3], (x) => {
      const h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c' }).apply(x);
      const n = tfl.layers.batchNormalization({ ...args, name: 'bn' }).apply(h);
      return tfl.layers.activation({ activation: 'relu', name: 'r' }).apply(n) as tfl.SymbolicTensor;
    });
    await expectMatchesTfjs(model, { label: `BatchNormalization rank 4 ${label}` });
  });

  it('axis 3 on rank 4 is the last axis too; folds to one Mul and one Add', async () => {
    const model = modelOf([5, 5, 4], (x) => tfl.layers.batchNormalization({ axis: 3, name: 'bn' }).apply(x) as tfl.SymbolicTensor);
    const { graph } = await expectMatchesTfjs(model, { label: 'BatchNormalization axis 3' });
    expect(graphNodes(graph.bytes).map((n) => n.opType)).toEqual(['Mul', 'Add']);
  });

  it('refuses a normalized axis other than the last, naming layer, expected and found', () => {
    const model = modelOf([5, 5, 4], (x) => tfl.layers.batchNormalization({ axis: 1, name: 'bn_h' }).apply(x) as tfl.SymbolicTensor);
    const error = thrown(() => convertLayersModel(model, { name: 'e', inputNames: ['x'], outputNames: ['y'], producerVersion: 't' }));
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toMatch(/layer 'bn_h' \(BatchNormalization\).*last axis only \(axis -1 or 3 for rank 4\); found axis 1/);
  });
});
