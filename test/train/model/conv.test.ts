import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { buildVae } from '../../../src/train/model/build.js';

const conv = { arch: 'conv' as const, channels: [8, 16], hidden: [32], latentDim: 3, stride: 2, activation: 'relu' as const };
const options = { inputShape: [28, 28, 1], likelihood: { kind: 'bernoulli' as const }, valueRange: [0, 1] as [number, number], seed: 2 };

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('conv VAE', () => {
  it('maps [N, 28, 28, 1] to μ, logvar [N, 3] and back to logits and mean of the input shape', () => {
    const { encoder, decoder } = buildVae(conv, options);
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1);
    const [mu, logvar] = encoder.predict(x) as tf.Tensor[];
    expect(mu!.shape).toEqual([2, 3]);
    expect(logvar!.shape).toEqual([2, 3]);
    const [logits, mean] = decoder.predict(mu!) as tf.Tensor[];
    expect(logits!.shape).toEqual([2, 28, 28, 1]);
    expect(mean!.shape).toEqual([2, 28, 28, 1]);
    expect(encoder.layers.map((l) => l.getClassName())).toContain('Conv2D');
    expect(decoder.layers.map((l) => l.getClassName())).toContain('Conv2DTranspose');
  });

  it('refuses shapes the strides cannot halve and non-image data, naming the setting', () => {
    expect(() => buildVae({ ...conv, channels: [8, 16, 32] }, options)).toThrow(/'channels' gives 3 conv layers of stride 2, which needs H and W divisible by 8; found 28×28/);
    expect(() => buildVae(conv, { ...options, inputShape: [6] })).toThrow(/'arch' conv needs image data \[H, W, C\]; found input shape \[6\]/);
  });
});
