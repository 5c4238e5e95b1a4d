import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../export/convert-model.js';
import { thrown } from '../../helpers/thrown.js';
import { expectMatchesTfjs, graphNodes, useWasm } from './harness.js';

beforeAll(useWasm);

/** A model of several named inputs merged by `merge`. */
function merged(shapes: number[][], merge: (xs: tfl.SymbolicTensor[]) => tfl.SymbolicTensor) {
  const xs = shapes.map((shape, i) => tfl.input({ shape, name: `x${i}` }));
  return tfl.model({ inputs: xs, outputs: merge(xs) });
}

describe('Concatenate', () => {
  it.each([
    ['default axis −1, rank 2 (CVAE: z ⊕ one-hot c)', [[8], [10]], undefined],
    ['axis −1, rank 4 (channels)', [[7, 7, 3], [7, 7, 5]], -1],
    ['axis 1, rank 4 (height)', [[4, 6, 3], [2, 6, 3]], 1],
    ['axis 2, three inputs', [[4, 2, 3], [4, 1, 3], [4, 3, 3]], 2],
  ] as Array<[string, number[][], number | undefined]>)('%s matches tfjs', async (label, shapes, axis) => {
    const model = merged(shapes, (xs) => tfl.layers.concatenate({ axis, name: 'cat' }).apply(xs) as tfl.SymbolicTensor);
    const { graph } = await expectMatchesTfjs(model, { label: `Concatenate ${label}` });
    const rank = shapes[0]!.length + 1;
    const concat = graphNodes(graph.bytes).find((n) => n.opType === 'Concat')!;
    expect(Number(concat.attribute![0]!.i)).toBe((axis ?? -1) < 0 ? (axis ?? -1) + rank : axis);
  });
});

describe('Add', () => {
  it.each([
    ['two inputs, rank 2', [[12], [12]]],
    ['three inputs, rank 4 (chained)', [[5, 5, 4], [5, 5, 4], [5, 5, 4]]],
    ['four inputs', [[6], [6], [6], [6]]],
  ])('%s matches tfjs', async (label, shapes) => {
    const model = merged(shapes, (xs) => tfl.layers.add({ name: 'sum' }).apply(xs) as tfl.SymbolicTensor);
    const { graph } = await expectMatchesTfjs(model, { label: `Add ${label}` });
    expect(graphNodes(graph.bytes).filter((n) => n.opType === 'Add')).toHaveLength(shapes.length - 1);
  });

  it('a residual block: x + conv(x)', async () => {
    const x = tfl.input({ shape: [8, 8, 4], name: 'x' });
    const h = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: x, outputs: tfl.layers.add({ name: 'res' }).apply([x, h]) as tfl.SymbolicTensor });
    await expectMatchesTfjs(model, { label: 'Add residual' });
  });

  it('refuses inputs of different rank', () => {
    const model = merged([[3, 4], [4]], (xs) => tfl.layers.add({ name: 'mixed' }).apply(xs) as tfl.SymbolicTensor);
    const error = thrown(() => convertLayersModel(model, { name: 'e', inputNames: ['a', 'b'], outputNames: ['y'], producerVersion: 't' }));
    expect(error.message).toMatch(/layer 'mixed' \(Add\): vaekit adds inputs of equal rank; found shapes \[null,3,4\], \[null,4\]/);
  });
});
