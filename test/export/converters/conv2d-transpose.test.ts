import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesTfjs, graphNodes, modelOf, useWasm } from './harness.js';

beforeAll(useWasm);

type Args = Parameters<typeof tfl.layers.conv2dTranspose>[0];

function deconv(shape: number[], args: Args) {
  return modelOf(shape, (x) => tfl.layers.conv2dTranspose({ ...args, name: 'deconv' }).apply(x) as tfl.SymbolicTensor);
}

// Every kernel 3/4/5 × stride 1/2 × padding × odd/even input size.
const grid = [3, 4, 5].flatMap((k) =>
  [1, 2].flatMap((s) => (['same', 'valid'] as const).flatMap((padding) => [7, 8].map((n) => ({ k, s, padding, n })))),
);

describe('Conv2DTranspose', () => {
  it.each(grid)('k$k s$s $padding on $n×$n matches tfjs', async ({ k, s, padding, n }) => {
    const model = deconv([n, n, 3], { filters: 4, kernelSize: k, strides: s, padding });
    const { graph } = await expectMatchesTfjs(model, { label: `Conv2DTranspose k${k} s${s} ${padding} ${n}` });
    expect(graph.parameters).toBe(model.countParams());
  });

  it.each([
    ['kernel < stride, same (output_padding)', { filters: 4, kernelSize: 2, strides: 3, padding: 'same' }],
    ['kernel < stride, valid (output_padding)', { filters: 4, kernelSize: 1, strides: 2, padding: 'valid' }],
    ['non-square k[3,4] s[2,1]', { filters: 4, kernelSize: [3, 4], strides: [2, 1], padding: 'same' }],
    ['no bias, sigmoid', { filters: 4, kernelSize: 4, strides: 2, padding: 'same', useBias: false, activation: 'sigmoid' }],
  ] as Array<[string, Args]>)('%s matches tfjs', async (label, args) => {
    await expectMatchesTfjs(deconv([7, 6, 3], args), { label: `Conv2DTranspose ${label}` });
  });

  it('decoder-sized 7×7×64 → 32 filters, k3 s2 same, relu: explicit pads, never output_shape', async () => {
    const { graph } = await expectMatchesTfjs(deconv([7, 7, 64], { filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), {
      label: 'Conv2DTranspose 7×7×64 → 14×14×32',
    });
    const node = graphNodes(graph.bytes).find((n) => n.opType === 'ConvTranspose')!;
    const attributes = Object.fromEntries(node.attribute!.map((a) => [a.name, a.ints?.map(Number)]));
    expect(Object.keys(attributes)).not.toContain('output_shape');
    expect(Object.keys(attributes)).not.toContain('auto_pad');
    expect(attributes['pads']).toEqual([0, 0, 1, 1]); // k3 s2: 1 pixel, at the end
    expect(graph.outputs[0]!.shape).toEqual([null, 14, 14, 32]);
  });

  it('a conv encoder/decoder round trip: conv s2 → deconv s2 back to 28×28×1', async () => {
    const model = modelOf([28, 28, 1], (x) => {
      const h = tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'enc' }).apply(x);
      const g = tfl.layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'dec' }).apply(h);
      return tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, padding: 'same', name: 'out' }).apply(g) as tfl.SymbolicTensor;
    });
    await expectMatchesTfjs(model, { label: 'Conv2D → Conv2DTranspose stack' });
  });
});
