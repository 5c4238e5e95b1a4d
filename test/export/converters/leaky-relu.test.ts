import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesTfjs, graphNodes, modelOf, useWasm } from './harness.js';

beforeAll(useWasm);

describe('LeakyReLU', () => {
  it.each([
    ['tfjs default α 0.3', undefined, 0.3],
    ['α 0.2', 0.2, 0.2],
    ['α 0 (integer: still a FLOAT attribute)', 0, 0],
    ['α 1', 1, 1],
  ] as Array<[string, number | undefined, number]>)('%s matches tfjs', async (label, alpha, expected) => {
    const model = modelOf([6, 6, 4], (x) => {
      const h = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c' }).apply(x);
      return tfl.layers.leakyReLU({ alpha, name: 'lrelu' }).apply(h) as tfl.SymbolicTensor;
    });
    const { graph } = await expectMatchesTfjs(model, { label: `LeakyReLU ${label}` });
    const node = graphNodes(graph.bytes).find((n) => n.opType === 'LeakyRelu')!;
    expect(node.attribute![0]!.f).toBeCloseTo(expected, 7);
  });
});
