import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { buildVae, type Architecture } from '../../../src/train/model/build.js';
import { DECODER_CLASS_OFFSET_LAYER, DECODER_OUTPUT_LAYER, initializeOutputBiasFromData } from '../../../src/train/model/output-bias.js';

const CLASSES = 3;
const mlp: Architecture = { arch: 'mlp', hidden: [32, 16], latentDim: 3, activation: 'relu' };
const conv: Architecture = { arch: 'conv', channels: [4, 8], hidden: [16, 8], latentDim: 3, stride: 2, activation: 'relu' };
const build = (arch: Architecture, seed = 1) =>
  buildVae(arch, { inputShape: [4, 4, 1], likelihood: { kind: 'bernoulli' }, valueRange: [0, 1], seed, classes: CLASSES });

beforeAll(async () => {
  await selectBackend('wasm');
});

/** How each Dense layer of `model` reads c: through a Concatenate with c, directly, or not at all. */
function howDenseReadsC(model: tfl.LayersModel): Record<string, 'joined' | 'direct' | 'no'> {
  const out: Record<string, 'joined' | 'direct' | 'no'> = {};
  for (const l of model.layers.filter((layer) => layer.getClassName() === 'Dense')) {
    const source = l.inboundNodes[0]!.inboundLayers[0]!;
    const joined = source.getClassName() === 'Concatenate' && source.inboundNodes[0]!.inboundLayers.some((s) => s.name === 'c');
    out[l.name] = joined ? 'joined' : source.name === 'c' ? 'direct' : 'no';
  }
  return out;
}

function decodeMean(decoder: tfl.LayersModel, z: tf.Tensor, c: tf.Tensor): Float32Array {
  const outputs = decoder.predict([z, c]) as tf.Tensor[];
  return outputs[decoder.outputNames.indexOf('mean')]!.dataSync() as Float32Array;
}

const oneHotRows = (labels: number[]) => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES), 'float32');

describe('conditional VAE (classes set)', () => {
  it.each([['mlp', mlp], ['conv', conv]] as const)('%s: c joins every hidden Dense layer and the heads; a class offset reads c at the output', (_name, arch) => {
    const { encoder, decoder } = build(arch);
    expect(encoder.inputNames).toEqual(['x', 'c']);
    expect(decoder.inputNames).toEqual(['z', 'c']);
    expect(howDenseReadsC(encoder)).toEqual({ encoder_dense_1: 'joined', encoder_dense_2: 'joined', mu: 'joined', logvar: 'joined' });
    expect(howDenseReadsC(decoder)).toEqual({
      decoder_dense_1: 'joined',
      decoder_dense_2: 'joined',
      ...(arch.arch === 'mlp' ? { decoder_output: 'no' } : { decoder_project: 'joined' }),
      decoder_class_offset: 'direct',
    });
    // The offset is added to the output layer's pre-activation, in the output's shape.
    const add = decoder.getLayer('decoder_output_conditioned');
    expect(add.getClassName()).toBe('Add');
    expect(add.outputShape).toEqual([null, 4, 4, 1]);
  });

  it('builds no condition path for an unconditional VAE', () => {
    const { encoder, decoder } = buildVae(mlp, { inputShape: [4, 4, 1], likelihood: { kind: 'bernoulli' }, valueRange: [0, 1], seed: 1 });
    const kinds = [...encoder.layers, ...decoder.layers].map((l) => l.getClassName());
    expect(kinds).not.toContain('Concatenate');
    expect(kinds).not.toContain('Add');
  });

  it.each([['mlp', mlp], ['conv', conv]] as const)('%s: c still steers the decoder when its path at the decoder input is cut', (_name, arch) => {
    const { decoder } = build(arch);
    // Zero the kernel rows that read c in the first layer; the class offset is still zero (no data
    // seen): only the later hidden layers can carry c to the output now.
    const first = decoder.getLayer('decoder_dense_1');
    const [kernel, bias] = first.getWeights();
    const rows = kernel!.shape[0]!;
    const cut = tf.tidy(() => tf.concat([tf.slice(kernel!, [0, 0], [rows - CLASSES, -1]), tf.zeros([CLASSES, kernel!.shape[1]!])], 0));
    first.setWeights([cut, bias!]);
    cut.dispose();
    tf.tidy(() => {
      const z = tf.tensor2d([0.3, -0.8, 1.1, 0.3, -0.8, 1.1], [2, 3]);
      const means = decodeMean(decoder, z, oneHotRows([0, 2]));
      const half = means.length / 2;
      const change = Math.max(...Array.from({ length: half }, (_, j) => Math.abs(means[j]! - means[half + j]!)));
      expect(change).toBeGreaterThan(1e-3);
    });
  });

  it.each([['mlp', mlp], ['conv', conv]] as const)('%s: the data init makes the untrained decoder draw each class as its mean image', (_name, arch) => {
    const { decoder } = build(arch, 3);
    // Class k lights its own row of the 4 × 4 image (with noise); class 2 is absent from the data.
    const count = 40;
    const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
    const x = new Float32Array(count * 16);
    for (let i = 0; i < count; i++) for (let j = 0; j < 16; j++) x[i * 16 + j] = Math.floor(j / 4) === labels[i] ? 0.9 - (i % 5) * 0.1 : (i % 3) * 0.05;
    initializeOutputBiasFromData(decoder, { x, labels, count }, 16);

    const bias = decoder.getLayer(DECODER_OUTPUT_LAYER).getWeights()[1]!.dataSync(); // 16 (mlp) or 1 per channel (conv)
    const offset = decoder.getLayer(DECODER_CLASS_OFFSET_LAYER).getWeights()[0]!.arraySync() as number[][];
    const logit = (p: number) => Math.log(p / (1 - p));
    for (const cls of [0, 1]) {
      for (let j = 0; j < 16; j++) {
        let mean = 0;
        for (let i = 0; i < count; i++) if (labels[i] === cls) mean += x[i * 16 + j]! / (count / 2);
        // output bias + row k of the offset = the logit of class k's mean pixel
        expect(bias[j % bias.length]! + offset[cls]![j]!).toBeCloseTo(logit(mean), 4);
      }
    }
    expect(offset[2]!.every((v) => v === 0)).toBe(true); // absent class: the overall mean

    // At z = 0 each class's image lights its own row and not the other class's.
    tf.tidy(() => {
      const means = decodeMean(decoder, tf.zeros([2, 3]), oneHotRows([0, 1]));
      for (const cls of [0, 1]) {
        const image = means.subarray(cls * 16, (cls + 1) * 16);
        const rowMean = (r: number) => image.slice(r * 4, r * 4 + 4).reduce((a, v) => a + v, 0) / 4;
        expect(rowMean(cls)).toBeGreaterThan(0.5);
        expect(rowMean(1 - cls)).toBeLessThan(0.2);
      }
    });
  });
});
