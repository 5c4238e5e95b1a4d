import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fixedBatch } from '../../src/manifest/graph-batch.js';
import { inspectGraph, type GraphFacts } from '../../src/manifest/graph-inspection.js';
import { parseManifest } from '../../src/manifest/index.js';
import { thrown } from '../helpers/thrown.js';
import { MNIST_FOLDER, MNIST_TEXT, edited } from './manifests.js';

const mnist = parseManifest(MNIST_TEXT);
const facts = {
  encoder: inspectGraph(await readFile(`${MNIST_FOLDER}encoder.onnx`)),
  decoder: inspectGraph(await readFile(`${MNIST_FOLDER}decoder.onnx`)),
};
const withBatch = (f: GraphFacts, first: (number | string | null)[]) => ({ ...f, inputs: f.inputs.map((i, k) => ({ ...i, dims: [first[k] ?? null, ...(i.dims ?? []).slice(1)] })) });

describe('fixedBatch', () => {
  it('is null for the shipped model’s symbolic batch dimension', () => {
    expect(fixedBatch(mnist, facts)).toEqual({ encoder: null, decoder: null });
  });

  it('reads a fixed first dimension of each graph’s inputs', () => {
    expect(fixedBatch(mnist, { encoder: withBatch(facts.encoder, [1]), decoder: withBatch(facts.decoder, [64]) })).toEqual({ encoder: 1, decoder: 64 });
  });

  it('takes a fixed size beside a symbolic one, and refuses two different fixed sizes in one graph', () => {
    const conditional = parseManifest(edited((m) => {
      m.condition = { classes: 2, labels: ['a', 'b'] };
      m.graphs.encoder.inputs.c = 'c';
      m.graphs.decoder.inputs.c = 'c';
    }));
    const c = { name: 'c', elemType: 1, dims: ['N', 2] };
    const encoder = { ...facts.encoder, inputs: [...facts.encoder.inputs, c] };
    const decoder = { ...facts.decoder, inputs: [...facts.decoder.inputs, c] };
    expect(fixedBatch(conditional, { encoder: withBatch(encoder, ['N', 8]), decoder })).toEqual({ encoder: 8, decoder: null });
    const error = thrown(() => fixedBatch(conditional, { encoder, decoder: withBatch(decoder, [1, 2]) }));
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toBe(
      "decoder.onnx fixes different batch sizes for its inputs: 'z' (graphs.decoder.inputs.z) has batch dimension 1, 'c' (graphs.decoder.inputs.c) has 2; a graph's inputs must share one batch dimension (export it with the same, or a dynamic, batch axis for every input)",
    );
  });

  it('treats a batch dimension of 0 or an absent one as symbolic', () => {
    expect(fixedBatch(mnist, { encoder: withBatch(facts.encoder, [0]), decoder: { ...facts.decoder, inputs: facts.decoder.inputs.map((i) => ({ ...i, dims: null })) } })).toEqual({ encoder: null, decoder: null });
  });
});
