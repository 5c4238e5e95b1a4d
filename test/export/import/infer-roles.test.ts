/**
 * What `vaekit import` infers from a graph's declared inputs and outputs, and what it refuses,
 * on graph facts written out by hand (the shapes and names torch.onnx.export and Keras produce).
 */
import { describe, expect, it } from 'vitest';
import type { GraphFacts, GraphValueInfo } from '../../../src/manifest/graph-inspection.js';
import { type ImportChoices, inferModel } from '../../../export/import/infer-roles.js';
import type { OnnxModelFacts } from '../../../export/import/onnx-model-facts.js';
import { thrown } from '../../helpers/thrown.js';

const v = (name: string, dims: (number | string)[], elemType = 1): GraphValueInfo => ({ name, elemType, dims });
const graph = (inputs: GraphValueInfo[], outputs: GraphValueInfo[]): GraphFacts => ({ inputs, outputs, externalData: [] });
/** A decoder whose output `name` is computed by `op` (through a Reshape, as torch's view() exports). */
const model = (last: { name: string; op: string } | null = null): OnnxModelFacts => ({
  irVersion: 8,
  opset: 17,
  producer: { name: 'pytorch', version: '1.13.1' },
  nodes: last ? [{ opType: last.op, inputs: ['h'], outputs: ['pre'] }, { opType: 'Reshape', inputs: ['pre', 'shape'], outputs: [last.name] }] : [],
  parameters: 0,
  initializers: new Set(),
});

function infer(encoder: GraphFacts, decoder: GraphFacts, decoderModel = model(), choices: ImportChoices = {}) {
  return inferModel({ encoder, decoder }, { encoder: model(), decoder: decoderModel }, choices);
}

const mlpEncoder = graph([v('x', ['N', 784])], [v('mu', ['N', 8]), v('logvar', ['N', 8])]);
const mlpDecoder = graph([v('z', ['N', 8])], [v('recon', ['N', 784])]);

describe('inferModel', () => {
  it('reads a PyTorch conv VAE: NCHW input → chw, a decoder ending in a plain conv → logits only, symbolic batch', () => {
    const encoder = graph([v('x', ['batch', 1, 28, 28])], [v('mu', ['batch', 8]), v('logvar', ['batch', 8])]);
    const decoder = graph([v('z', ['batch', 8])], [v('logits', ['batch', 1, 28, 28])]);
    const m = infer(encoder, decoder, model({ name: 'logits', op: 'ConvTranspose' }));
    expect(m.input).toEqual({ shape: [1, 28, 28], layout: 'chw', range: [0, 1], scaling: null });
    expect(m.decoder.outputs).toEqual({ logits: 'logits' });
    expect([m.encoder.fixedBatch, m.decoder.fixedBatch]).toEqual([null, null]);
  });

  it('reads a Keras VAE: z_mean and z_log_var by name, z ignored, a Sigmoid decoder → mean', () => {
    const encoder = graph([v('x', ['N', 784])], [v('z_mean', ['N', 8]), v('z_log_var', ['N', 8]), v('z', ['N', 8])]);
    const m = infer(encoder, mlpDecoder, model({ name: 'recon', op: 'Sigmoid' }));
    expect(m.encoder.outputs).toEqual({ mu: 'z_mean', logvar: 'z_log_var' });
    expect(m.encoder.ignored).toEqual(['z']);
    expect(m.decoder.outputs).toEqual({ mean: 'recon' });
  });

  it('reads a fixed batch from torch.onnx.export without dynamic_axes', () => {
    const encoder = graph([v('input.1', [1, 784])], [v('mu', [1, 8]), v('logvar', [1, 8])]);
    const decoder = graph([v('latent', [1, 8])], [v('recon', [1, 784])]);
    const m = infer(encoder, decoder, model({ name: 'recon', op: 'Sigmoid' }));
    expect([m.encoder.fixedBatch, m.decoder.fixedBatch]).toEqual([1, 1]);
    expect(m.decisions.find((d) => d.what === 'decoder batch')?.value).toContain('fixed at 1');
  });

  it('asks for --mu and --logvar when the names do not say, and takes them when given', () => {
    const encoder = graph([v('input.1', ['N', 784])], [v('fc21_out', ['N', 8]), v('fc22_out', ['N', 8])]);
    expect(thrown(() => infer(encoder, mlpDecoder)).message).toMatch(/cannot tell which encoder output is μ .*'fc21_out' \[N, 8\], 'fc22_out' \[N, 8\].*pass 'mu' and 'logvar'/);
    const m = infer(encoder, mlpDecoder, model({ name: 'recon', op: 'Sigmoid' }), { mu: 'fc21_out', logvar: 'fc22_out' });
    expect(m.encoder.outputs).toEqual({ mu: 'fc21_out', logvar: 'fc22_out' });
    expect(thrown(() => infer(encoder, mlpDecoder, model(), { mu: 'nope', logvar: 'fc22_out' })).message).toMatch(/'mu' names 'nope', which is not an output of the encoder/);
  });

  it('asks for --layout when an image shape does not show where its channels are', () => {
    const encoder = graph([v('x', ['N', 3, 32, 3])], [v('mu', ['N', 8]), v('logvar', ['N', 8])]);
    const decoder = graph([v('z', ['N', 8])], [v('mean', ['N', 3, 32, 3])]);
    expect(thrown(() => infer(encoder, decoder)).message).toMatch(/cannot tell where the channels .* pass 'layout'/);
    expect(infer(encoder, decoder, model({ name: 'mean', op: 'Sigmoid' }), { layout: 'chw' }).input.layout).toBe('chw');
  });

  it('refuses what vaekit cannot describe, saying how to re-export', () => {
    const two = graph([v('x', ['N', 784]), v('c', ['N', 10])], mlpEncoder.outputs);
    expect(thrown(() => infer(two, mlpDecoder)).message).toMatch(/the encoder has 2 inputs .* exactly one input/);
    const half = graph([v('x', ['N', 784], 10)], mlpEncoder.outputs);
    expect(thrown(() => infer(half, mlpDecoder)).message).toMatch(/'x' is float16; vaekit runs float32 graphs: re-export/);
    const dynamic = graph([v('x', ['N', 'height', 28, 1])], mlpEncoder.outputs);
    expect(thrown(() => infer(dynamic, mlpDecoder)).message).toMatch(/dimension 1 of the encoder input .* is not fixed/);
    const wrongLatent = graph([v('z', ['N', 16])], mlpDecoder.outputs);
    expect(thrown(() => infer(mlpEncoder, wrongLatent)).message).toMatch(/the decoder input 'z' \[N, 16\] must be \[N, 8\]/);
    const noImage = graph([v('z', ['N', 8])], [v('h', ['N', 100])]);
    expect(thrown(() => infer(mlpEncoder, noImage)).message).toMatch(/no decoder output has 784 values per example/);
  });
});
