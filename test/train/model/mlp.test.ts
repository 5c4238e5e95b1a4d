import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { buildMlpVae } from '../../../src/train/model/mlp.js';
import { DECODER_OUTPUT_LAYER, initializeOutputBiasFromData } from '../../../src/train/model/output-bias.js';

const arch = { arch: 'mlp' as const, hidden: [32, 16], latentDim: 3, activation: 'relu' as const };
const build = (kind: 'bernoulli' | 'gaussian', seed = 1) =>
  buildMlpVae(arch, {
    inputShape: [4, 4, 1],
    likelihood: kind === 'bernoulli' ? { kind } : { kind, sigma: 1 },
    valueRange: [0, 1],
    seed,
  });

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('buildMlpVae', () => {
  it('follows the graph contract: x → (mu, logvar); z → (logits, mean = sigmoid(logits))', () => {
    const { encoder, decoder } = build('bernoulli');
    expect(encoder.inputs[0]!.shape).toEqual([null, 4, 4, 1]);
    expect(encoder.outputNames).toEqual(['mu', 'logvar']);
    expect(decoder.inputs[0]!.shape).toEqual([null, 3]);
    expect(decoder.outputNames).toEqual(['logits', 'mean']);
    const x = tf.tensor4d(Array.from({ length: 32 }, (_, i) => (i % 7) / 7), [2, 4, 4, 1]);
    const [mu, logvar] = encoder.predict(x) as tf.Tensor[];
    expect(mu!.shape).toEqual([2, 3]);
    expect(logvar!.shape).toEqual([2, 3]);
    const [logits, mean] = decoder.predict(mu!) as tf.Tensor[];
    expect(logits!.shape).toEqual([2, 4, 4, 1]);
    const expected = tf.sigmoid(logits!).dataSync();
    mean!.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('gives the gaussian decoder one mean output', () => {
    expect(build('gaussian').decoder.outputNames).toEqual(['mean']);
  });

  it('initializes as PyTorch nn.Linear, seeded: |w|, |b| ≤ 1/√fan_in, same seed same weights', () => {
    const a = build('bernoulli', 5);
    const b = build('bernoulli', 5);
    const c = build('bernoulli', 6);
    const first = a.encoder.getLayer('encoder_dense_1').getWeights();
    const bound = 1 / Math.sqrt(16);
    for (const w of first) expect(Math.max(...tf.abs(w).dataSync())).toBeLessThanOrEqual(bound);
    expect(Math.max(...tf.abs(first[1]!).dataSync())).toBeGreaterThan(0); // biases are not zero
    expect(a.decoder.getWeights()[0]!.dataSync()).toEqual(b.decoder.getWeights()[0]!.dataSync());
    expect(a.decoder.getWeights()[0]!.dataSync()).not.toEqual(c.decoder.getWeights()[0]!.dataSync());
  });
});

describe('initializeOutputBiasFromData', () => {
  it('sets the output bias to the logit of each feature mean, clipped, so the untrained mean is the average image', () => {
    const { decoder } = build('bernoulli');
    const x = new Float32Array(16 * 2);
    x.fill(0.25, 0, 16);
    x.fill(0.75, 16, 32);
    x[0] = 0;
    x[16] = 0; // feature 0 is always 0: clipped to 1e-3
    initializeOutputBiasFromData(decoder, { x, labels: null, count: 2 }, 16);
    const bias = decoder.getLayer(DECODER_OUTPUT_LAYER).getWeights()[1]!.dataSync();
    expect(bias[0]).toBeCloseTo(Math.log(1e-3 / (1 - 1e-3)), 4);
    expect(bias[1]).toBeCloseTo(0, 6);
    // The kernel variable survives (getWeights returns live variables).
    expect(decoder.getLayer(DECODER_OUTPUT_LAYER).getWeights()[0]!.isDisposed).toBe(false);
  });
});
