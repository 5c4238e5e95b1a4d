import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../export/convert-model.js';
import { thrown } from '../../helpers/thrown.js';
import { expectMatchesTfjs, graphNodes, modelOf, useWasm } from './harness.js';

beforeAll(useWasm);

type Conv2DArgs = Parameters<typeof tfl.layers.conv2d>[0];

const cases: Array<[string, number[], Conv2DArgs]> = [
  ['28×28×1 → 32 filters, k3 s2 same, relu', [28, 28, 1], { filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }],
  ['14×14×32 → 64 filters, k3 s2 same, no bias', [14, 14, 32], { filters: 64, kernelSize: 3, strides: 2, padding: 'same', useBias: false }],
  ['odd 15×15×3, k4 s2 same (uneven pads)', [15, 15, 3], { filters: 8, kernelSize: 4, strides: 2, padding: 'same' }],
  ['odd 15×15×3, k5 s2 same', [15, 15, 3], { filters: 8, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }],
  ['28×28×1, k3 s1 valid', [28, 28, 1], { filters: 16, kernelSize: 3, strides: 1, padding: 'valid', activation: 'elu' }],
  ['15×16×2, k5 s2 valid', [15, 16, 2], { filters: 8, kernelSize: 5, strides: 2, padding: 'valid' }],
  ['non-square k[3,5] s[1,2] same', [12, 13, 3], { filters: 6, kernelSize: [3, 5], strides: [1, 2], padding: 'same' }],
  ['dilation 2, same', [16, 16, 4], { filters: 8, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'sigmoid' }],
  ['dilation [2,3], valid', [16, 17, 4], { filters: 8, kernelSize: 3, dilationRate: [2, 3], padding: 'valid' }],
];

describe('Conv2D', () => {
  it.each(cases)('%s matches tfjs', async (label, shape, args) => {
    const model = modelOf(shape, (x) => tfl.layers.conv2d({ ...args, name: 'conv' }).apply(x) as tfl.SymbolicTensor);
    const { graph } = await expectMatchesTfjs(model, { label: `Conv2D ${label}` });
    expect(graph.parameters).toBe(model.countParams());
  });

  it('keeps NHWC between layers: two convs, then Flatten in tfjs order', async () => {
    const model = modelOf([28, 28, 1], (x) => {
      const h = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c1' }).apply(x);
      const g = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'c2' }).apply(h);
      return tfl.layers.dense({ units: 5, name: 'd' }).apply(tfl.layers.flatten({ name: 'f' }).apply(g)) as tfl.SymbolicTensor;
    });
    const { graph } = await expectMatchesTfjs(model, { label: 'Conv2D stack + Flatten' });
    const conv = graphNodes(graph.bytes).find((n) => n.opType === 'Conv')!;
    expect(conv.attribute!.map((a) => a.name)).not.toContain('auto_pad');
  });

  it("refuses dataFormat 'channelsFirst', naming the layer", () => {
    const model = modelOf([1, 28, 28], (x) =>
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, dataFormat: 'channelsFirst', name: 'nchw_conv' }).apply(x) as tfl.SymbolicTensor,
    );
    const error = thrown(() => convertLayersModel(model, { name: 'e', inputNames: ['x'], outputNames: ['y'], producerVersion: 't' }));
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toMatch(/layer 'nchw_conv' \(Conv2D\).*'channelsLast' only; found "channelsFirst"/);
  });
});
