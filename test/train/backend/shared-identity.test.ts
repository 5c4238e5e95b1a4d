import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core registers no gradients by itself; tfjs-layers' Node bundle registers all of them.
import '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installSharedIdentity } from '../../../src/train/backend/shared-identity.js';
import { seeded } from '../../helpers/seeded-tensors.js';

const offset = (t: tf.Tensor) => (tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap.get(t.dataId).memoryOffset;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

afterEach(() => installSharedIdentity().uninstall());

describe('Identity on wasm shares the buffer', () => {
  it('clones without a copy, and the clone outlives the original', () => {
    installSharedIdentity();
    const x = seeded([128, 400], 1);
    const values = x.dataSync().slice();
    const y = tf.clone(x);
    expect(offset(y)).toBe(offset(x));
    x.dispose();
    expect(y.dataSync()).toEqual(values);
    y.dispose();
  });

  it('copies again once uninstalled', () => {
    installSharedIdentity().uninstall();
    const x = seeded([4, 4], 2);
    const y = tf.clone(x);
    expect(offset(y)).not.toBe(offset(x));
    tf.dispose([x, y]);
  });

  it('gives gradients (which clone every saved tensor) the same values, and frees every buffer and byte', () => {
    const step = () =>
      tf.tidy(() => {
        const w = seeded([784, 400], 3);
        const b = seeded([400], 4);
        const x = seeded([128, 784], 5);
        const f = (ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.add(tf.matMul(x, ww), bb))));
        return tf.grads(f)([w, b]).map((g) => g.dataSync() as Float32Array);
      });
    const copied = step();
    installSharedIdentity();
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    step();
    const before = { ids: tf.backend().numDataIds(), tensors: tf.memory().numTensors, heap: heap() };
    for (let i = 0; i < 10; i++) expect(step()).toEqual(copied);
    expect({ ids: tf.backend().numDataIds(), tensors: tf.memory().numTensors, heap: heap() }).toEqual(before);
  });
});
