import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { onnx } from '../../export/onnx.js';
import { inspectGraph } from '../../src/manifest/graph-inspection.js';
import { thrown } from '../helpers/thrown.js';
import { MNIST_FOLDER, PYTORCH_FOLDER } from './manifests.js';

const external = (name: string, location: string) => ({
  name,
  dims: [1],
  dataType: onnx.TensorProto.DataType.FLOAT,
  dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
  externalData: [{ key: 'location', value: location }],
});

/** A model whose only tensors are `tensors`, placed where `where` says. */
function modelWith(where: 'initializer' | 'sparse' | 'subgraph' | 'second-graph' | 'function', tensor = external('w', 'secret.txt')): Uint8Array {
  const graph = { name: 'g', input: [], output: [], node: [] as object[], initializer: [] as object[], sparseInitializer: [] as object[] };
  const extra: Record<string, unknown> = {};
  if (where === 'initializer') graph.initializer.push(tensor);
  if (where === 'sparse') graph.sparseInitializer.push({ values: tensor, indices: { name: 'i', dims: [1], dataType: 7, int64Data: [0] }, dims: [4] });
  if (where === 'subgraph') {
    const body = { name: 'then', node: [{ opType: 'Constant', attribute: [{ name: 'value', type: 4, t: tensor }] }] };
    graph.node.push({ opType: 'If', attribute: [{ name: 'then_branch', type: 5, g: body }] });
  }
  if (where === 'function') extra['functions'] = [{ name: 'f', domain: 'd', node: [{ opType: 'Constant', attribute: [{ name: 'value', type: 4, t: tensor }] }] }];
  const first = onnx.ModelProto.encode({ irVersion: 8, graph, ...extra }).finish();
  if (where !== 'second-graph') return first;
  // protobuf merges a repeated occurrence of a message field: ONNX Runtime sees both.
  const second = onnx.ModelProto.encode({ graph: { initializer: [tensor] } }).finish();
  return new Uint8Array([...first, ...second]);
}

describe('inspectGraph', () => {
  it('reads the inputs and outputs of the shipped graphs with element types and symbolic batch', async () => {
    const encoder = inspectGraph(await readFile(`${MNIST_FOLDER}encoder.onnx`));
    expect(encoder).toEqual({
      inputs: [{ name: 'x', elemType: 1, dims: ['N', 28, 28, 1] }],
      outputs: [{ name: 'mu', elemType: 1, dims: ['N', 20] }, { name: 'logvar', elemType: 1, dims: ['N', 20] }],
      externalData: [],
    });
    const decoder = inspectGraph(await readFile(`${PYTORCH_FOLDER}decoder.onnx`));
    expect(decoder.inputs).toEqual([{ name: 'latent', elemType: 1, dims: ['N', 8] }]);
    expect(decoder.outputs).toEqual([{ name: 'recon', elemType: 1, dims: ['N', 784] }]);
  });

  it.each(['initializer', 'sparse', 'subgraph', 'second-graph', 'function'] as const)('finds external data in a %s', (where) => {
    expect(inspectGraph(modelWith(where)).externalData).toEqual([{ tensor: 'w', location: 'secret.txt' }]);
  });

  it('treats data_location EXTERNAL without a location entry as external', () => {
    const { externalData: _drop, ...tensor } = external('w', '');
    expect(inspectGraph(modelWith('initializer', { ...tensor, externalData: [] })).externalData).toEqual([{ tensor: 'w', location: '' }]);
  });

  it('leaves initializers out of the inputs (IR < 4 graphs list them there)', () => {
    const bytes = onnx.ModelProto.encode({
      graph: {
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }] } } } }, { name: 'w' }],
        initializer: [{ name: 'w', dims: [1], dataType: 1, floatData: [1] }],
      },
    }).finish();
    expect(inspectGraph(bytes).inputs).toEqual([{ name: 'x', elemType: 1, dims: ['N', 4] }]);
  });

  it('refuses bytes that are not a protobuf message with corrupt-graph', async () => {
    expect(thrown(() => inspectGraph(new Uint8Array([0xff, 0xff, 0xff]))).code).toBe('corrupt-graph');
    const error = thrown(() => inspectGraph(new Uint8Array(Buffer.from('# not onnx\n'))));
    expect(error.message).toMatch(/^the bytes are not an ONNX model \(protobuf: /);
  });

  it('bounds the nesting of subgraphs', () => {
    let body: object = { name: 'leaf' };
    for (let i = 0; i < 40; i++) body = { name: `g${i}`, node: [{ opType: 'If', attribute: [{ name: 'then_branch', type: 5, g: body }] }] };
    const error = thrown(() => inspectGraph(onnx.ModelProto.encode({ graph: body }).finish()));
    expect(error.code).toBe('corrupt-graph');
    expect(error.message).toMatch(/more than 32 levels deep/);
  });
});

