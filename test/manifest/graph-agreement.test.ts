import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkGraphAgreement } from '../../src/manifest/graph-agreement.js';
import { inspectGraph, type GraphFacts } from '../../src/manifest/graph-inspection.js';
import { parseManifest } from '../../src/manifest/index.js';
import { thrown } from '../helpers/thrown.js';
import { MNIST_FOLDER, PYTORCH_FOLDER, PYTORCH_TEXT, edited } from './manifests.js';

const mnist = parseManifest(await readFile(`${MNIST_FOLDER}vaekit.json`, 'utf8'));
const facts = {
  encoder: inspectGraph(await readFile(`${MNIST_FOLDER}encoder.onnx`)),
  decoder: inspectGraph(await readFile(`${MNIST_FOLDER}decoder.onnx`)),
};
const problems = (f: Record<'encoder' | 'decoder', GraphFacts>, manifest = mnist) =>
  thrown(() => checkGraphAgreement(manifest, f)).message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));

describe('checkGraphAgreement', () => {
  it('accepts the shipped model and the PyTorch fixture (flat [N, 784] graphs for a flat manifest)', async () => {
    expect(() => checkGraphAgreement(mnist, facts)).not.toThrow();
    const pytorch = parseManifest(PYTORCH_TEXT);
    const pt = { encoder: inspectGraph(await readFile(`${PYTORCH_FOLDER}encoder.onnx`)), decoder: inspectGraph(await readFile(`${PYTORCH_FOLDER}decoder.onnx`)) };
    expect(() => checkGraphAgreement(pytorch, pt)).not.toThrow();
  });

  it('names a mapped name the graph lacks, listing the graph names', () => {
    const manifest = parseManifest(edited((m) => (m.graphs.decoder.outputs.mean = 'probs')));
    expect(problems(facts, manifest)).toEqual(["graphs.decoder.outputs.mean names 'probs', which decoder.onnx does not have; its outputs are [logits, mean]"]);
  });

  it('refuses a graph input the manifest does not map (vaekit could not feed it)', () => {
    const extra = { ...facts, decoder: { ...facts.decoder, inputs: [...facts.decoder.inputs, { name: 'temperature', elemType: 1, dims: [1] }] } };
    expect(problems(extra)).toEqual(["decoder.onnx input 'temperature' is not in graphs.decoder.inputs, so vaekit cannot feed it; its inputs are [z, temperature]"]);
  });

  it('refuses element types other than float32 and scalars', () => {
    const f16 = { ...facts, encoder: { ...facts.encoder, inputs: [{ name: 'x', elemType: 10, dims: ['N', 28, 28, 1] }], outputs: [{ name: 'mu', elemType: 1, dims: [] }, facts.encoder.outputs[1]!] } };
    expect(problems(f16)).toEqual([
      "encoder.onnx input 'x' (graphs.encoder.inputs.x) is float16; the contract's tensors are float32",
      "encoder.onnx output 'mu' (graphs.encoder.outputs.mu) is a scalar; the contract's tensors have a batch dimension first",
    ]);
  });

  it('does not compare symbolic dimensions, and accepts another arrangement of the same values', () => {
    const symbolic = { ...facts, decoder: { ...facts.decoder, outputs: facts.decoder.outputs.map((o) => ({ ...o, dims: ['N', 'H', 'W', 'C'] })) } };
    expect(() => checkGraphAgreement(mnist, symbolic)).not.toThrow();
    const flat = { ...facts, decoder: { ...facts.decoder, outputs: facts.decoder.outputs.map((o) => ({ ...o, dims: ['N', 784] })) } };
    expect(() => checkGraphAgreement(mnist, flat)).not.toThrow();
  });

  it('accepts a fixed batch dimension, and still refuses a wrong feature dimension beside it', () => {
    const batch1 = (f: GraphFacts, features: number) => ({ ...f, inputs: f.inputs.map((i) => ({ ...i, dims: [1, features] })) });
    expect(() => checkGraphAgreement(mnist, { encoder: batch1(facts.encoder, 784), decoder: batch1(facts.decoder, 20) })).not.toThrow();
    expect(problems({ encoder: batch1(facts.encoder, 785), decoder: batch1(facts.decoder, 20) })).toEqual([
      "encoder.onnx input 'x' (graphs.encoder.inputs.x) has 785 values per example (shape [1, 785]); the manifest's input.shape [28, 28, 1] says 784",
    ]);
  });

  it('accepts graph outputs the manifest does not name (a Keras encoder’s third output z)', () => {
    const keras = { ...facts, encoder: { ...facts.encoder, outputs: [...facts.encoder.outputs, { name: 'z', elemType: 1, dims: ['N', 20] }] } };
    expect(() => checkGraphAgreement(mnist, keras)).not.toThrow();
  });

  it('refuses external data before anything else, with unsafe-graph', () => {
    const unsafe = { ...facts, encoder: { ...facts.encoder, externalData: [{ tensor: 'dense/kernel', location: '/etc/shadow' }] } };
    const error = thrown(() => checkGraphAgreement(mnist, unsafe));
    expect(error.code).toBe('unsafe-graph');
    expect(error.message).toMatch(/^encoder graph encoder\.onnx keeps 1 tensor in external data files \('dense\/kernel' → "\/etc\/shadow"\)/);
  });
});
