import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { ADAM } from '../../../src/train/objective/adam-settings.js';
import { SharedAdam } from '../../../src/train/parallel/shared-adam.js';
import { NormalSampler } from '../../../src/sampler/index.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('SharedAdam', () => {
  it.each([
    ['JavaScript', false],
    ['SIMD kernel on a shared wasm memory', true],
  ])('(%s) takes the same steps as tf.train.adam, bit for bit, on a gradient summed from two slots, in any shares', async (_name, simd) => {
    const P = 5_003;
    const sampler = new NormalSampler({ seed: 3, stream: 0 });
    const initial = sampler.next(P).map((x) => x * 0.1);
    const variable = tf.variable(tf.tensor1d(initial), true, 'shared-adam-test');
    const reference = tf.train.adam(3e-3, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
    // Two gradient slots, then weights, m and v: the exchange's layout.
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
    const block = (i: number) => (simd ? new Float32Array(memory.buffer, 4 * i * P, P) : new Float32Array(P));
    const [slotA, slotB] = [block(0), block(1)];
    const adam = new SharedAdam({ learningRate: 3e-3, ...ADAM }, ADAM.beta1, ADAM.beta2, simd ? memory : undefined);
    const state = { weights: block(2), m: block(3), v: block(4) };
    state.weights.set(initial);
    let simdCount = 0;
    for (let step = 0; step < 25; step++) {
      // Gradients over many magnitudes, some exactly zero: the paths where rounding shows.
      const a = sampler.next(P).map((x, k) => (k % 97 === 0 ? 0 : x * 10 ** ((k % 9) - 6)));
      const b = sampler.next(P).map((x, k) => (k % 97 === 0 ? 0 : x * 10 ** ((k % 7) - 4)));
      const sum = a.map((x, k) => Math.fround(x + b[k]!));
      const g = tf.tensor1d(sum);
      reference.applyGradients([{ name: variable.name, tensor: g }]);
      g.dispose();
      slotA.set(a);
      slotB.set(b);
      const cut = [0, 4 * (1 + ((step * 379) % 1200)), P]; // the shares move from step to step
      for (let r = 0; r < 2; r++) simdCount += adam.update({ ...state, gradients: [slotA, slotB] }, cut[r]!, cut[r + 1]!);
      adam.advance();
    }
    expect(Array.from(state.weights)).toEqual(Array.from(variable.dataSync()));
    const [, m, v] = await reference.getWeights();
    expect(Array.from(state.m)).toEqual(Array.from(m!.tensor.dataSync()));
    expect(Array.from(state.v)).toEqual(Array.from(v!.tensor.dataSync()));
    const acc = reference as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    expect([adam.accBeta1, adam.accBeta2]).toEqual([acc.accBeta1.dataSync()[0], acc.accBeta2.dataSync()[0]]);
    expect(Math.max(...state.weights.map((w, k) => Math.abs(w - initial[k]!)))).toBeGreaterThan(1e-2);
    // P = 5 003: all but the last 3 parameters of each step go through the kernel when it is there.
    expect(simdCount).toBe(simd ? 25 * (P - 3) : 0);
    variable.dispose();
    reference.dispose();
  });
});
