import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { VaekitError } from '../../../src/errors.js';
import type { Dataset } from '../../../src/train/data/dataset.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMnist } from '../../../src/train/data/fashion-mnist.js';
import { readIdxImages, readIdxLabels } from '../../../src/train/data/idx.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/idx/${name}`, import.meta.url));

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaekitError);
  expect((error as VaekitError).code).toBe('invalid-data');
  return (error as VaekitError).message;
}

describe('loadFashionMnist errors', () => {
  it('says how to install the data when the folder is missing', async () => {
    const message = await failure(loadFashionMnist('/no/such/fashion-mnist'));
    expect(message).toContain('/no/such/fashion-mnist');
    expect(message).toContain('apt-get install dataset-fashion-mnist');
  });

  it('names the missing file when the folder lacks one', async () => {
    const message = await failure(loadFashionMnist(fixture('')));
    expect(message).toContain('train-images-idx3-ubyte.gz not found');
    expect(message).toContain('apt-get install dataset-fashion-mnist');
  });
});

// Needs Debian's package dataset-fashion-mnist (`apt-get install dataset-fashion-mnist`).
// Real data, never skipped: without the package the loader's own error says how to install it.
describe(`loadFashionMnist on ${FASHION_MNIST_DIR}`, () => {
  let fashion: Dataset;
  beforeAll(async () => {
    fashion = await loadFashionMnist();
  });

  it('holds 60 000 training and 10 000 test images of 28 × 28 × 1 with the ten class names', () => {
    expect(fashion).toMatchObject({ name: 'fashion-mnist', shape: [28, 28, 1], layout: 'hwc', valueRange: [0, 1] });
    expect(fashion.classes).toEqual([...FASHION_MNIST_CLASSES]);
    expect(fashion.classes![9]).toBe('Ankle boot');
    expect(fashion.train.count).toBe(60_000);
    expect(fashion.test.count).toBe(10_000);
    expect(fashion.train.x.length).toBe(60_000 * 784);
    expect(fashion.test.x.length).toBe(10_000 * 784);
  });

  it('has balanced labels 0–9 (6 000 / 1 000 per class), the first of each split an ankle boot', () => {
    for (const [split, perClass] of [[fashion.train, 6_000], [fashion.test, 1_000]] as const) {
      const counts = new Array<number>(10).fill(0);
      for (const label of split.labels!) counts[label]! += 1;
      expect(counts).toEqual(new Array<number>(10).fill(perClass));
    }
    // From the files: train labels start 9 0 0 3 0 2 7 2 5 5, test labels 9 2 1 1 6 1 4 6 5 7.
    expect(Array.from(fashion.train.labels!.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(fashion.test.labels!.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  });

  it('has pixels in [0, 1] with the published mean intensity (0.2860 train, 0.2868 test)', () => {
    for (const [split, mean] of [[fashion.train, 0.28604], [fashion.test, 0.28685]] as const) {
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const v of split.x) {
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      expect([min, max]).toEqual([0, 1]);
      expect(sum / split.x.length).toBeCloseTo(mean, 4);
    }
  });

  it('starts its test split with the 20 images and labels of the fixtures (raw and gz)', async () => {
    for (const name of ['images-20-idx3-ubyte', 'images-20-idx3-ubyte.gz']) {
      expect((await readIdxImages(fixture(name))).pixels).toEqual(fashion.test.x.subarray(0, 20 * 784));
    }
    expect(await readIdxLabels(fixture('labels-20-idx1-ubyte.gz'))).toEqual(fashion.test.labels!.subarray(0, 20));
  });
});
