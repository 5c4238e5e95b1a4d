import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaekitError } from '../../../src/errors.js';
import { loadIdxDataset, readIdxHeader, readIdxImages, readIdxLabels } from '../../../src/train/data/idx.js';

// Fixtures: the first 20 Fashion-MNIST test images and labels, and broken variants of them
// (written by test/fixtures/idx/make-fixtures.py).
const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/idx/${name}`, import.meta.url));
const IMAGES = fixture('images-20-idx3-ubyte');
const IMAGES_GZ = fixture('images-20-idx3-ubyte.gz');
const LABELS = fixture('labels-20-idx1-ubyte');
const LABELS_GZ = fixture('labels-20-idx1-ubyte.gz');
const FIRST_20_LABELS = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0];

/** Runs `promise`, expects a VaekitError with `code`, returns its message. */
async function failure(promise: Promise<unknown>, code = 'invalid-data'): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaekitError);
  expect((error as VaekitError).code).toBe(code);
  return (error as VaekitError).message;
}

describe('readIdxImages / readIdxLabels', () => {
  it('reads uint8 images into [0, 1] and labels as ints', async () => {
    const images = await readIdxImages(IMAGES);
    expect([images.count, images.rows, images.cols]).toEqual([20, 28, 28]);
    expect(images.pixels).toBeInstanceOf(Float32Array);
    expect(images.pixels.length).toBe(20 * 784);
    let min = Infinity;
    let max = -Infinity;
    for (const v of images.pixels) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      // Every value is an exact k / 255.
      expect(Math.fround(Math.round(v * 255) / 255)).toBe(v);
    }
    expect([min, max]).toEqual([0, 1]);
    // The bytes of the first image sum to 33 456 (python: sum(t10k images[16:16+784])).
    const firstSum = images.pixels.subarray(0, 784).reduce((s, v) => s + Math.round(v * 255), 0);
    expect(firstSum).toBe(33_456);

    const labels = await readIdxLabels(LABELS);
    expect(labels).toBeInstanceOf(Int32Array);
    expect(Array.from(labels)).toEqual(FIRST_20_LABELS);
  });

  it('gives identical data for gzipped and raw files, telling gzip by content, not name', async () => {
    const raw = await readIdxImages(IMAGES);
    const gz = await readIdxImages(IMAGES_GZ);
    const gzNoSuffix = await readIdxImages(fixture('images-20-gz-no-suffix-idx3-ubyte'));
    expect(gz).toEqual(raw);
    expect(gzNoSuffix).toEqual(raw);
    expect(Array.from(await readIdxLabels(LABELS_GZ))).toEqual(FIRST_20_LABELS);
    expect((await readIdxHeader(IMAGES_GZ, 'images')).gzip).toBe(true);
    expect((await readIdxHeader(IMAGES, 'images')).gzip).toBe(false);
    expect(await readIdxHeader(LABELS_GZ, 'labels')).toMatchObject({ kind: 'labels', count: 20, headerBytes: 8, dataBytes: 20 });
  });

  it('refuses a wrong magic, saying which was found and which is expected', async () => {
    let message = await failure(readIdxImages(LABELS));
    expect(message).toContain(LABELS);
    expect(message).toContain('expected magic 0x00000803');
    expect(message).toContain('found 0x00000801');
    message = await failure(readIdxLabels(IMAGES_GZ));
    expect(message).toContain('expected magic 0x00000801');
    expect(message).toContain('found 0x00000803');
    message = await failure(readIdxImages(fixture('images-20-int32-magic-idx3-ubyte')));
    expect(message).toContain('found 0x00000c03');
    // Not IDX at all (this folder's generator script).
    message = await failure(readIdxImages(fixture('make-fixtures.py')));
    expect(message).toMatch(/expected magic 0x00000803 .*found 0x[0-9a-f]{8}/);
  });

  it('refuses truncated files, saying how many data bytes were expected and found', async () => {
    const expected = 'expected 15680 bytes of data after the 16-byte header, found 14996';
    for (const name of ['images-20-truncated-idx3-ubyte', 'images-20-truncated-idx3-ubyte.gz']) {
      const message = await failure(readIdxImages(fixture(name)));
      expect(message).toContain(fixture(name));
      expect(message).toContain('truncated');
      expect(message).toContain('20 images of 28 × 28');
      expect(message).toContain(expected);
    }
    // A gzip stream cut short.
    const message = await failure(readIdxImages(fixture('images-20-cut-gzip-idx3-ubyte.gz')));
    expect(message).toContain('images-20-cut-gzip-idx3-ubyte.gz');
    expect(message).toMatch(/not a valid or complete gzip stream|truncated/);
    // More data than the header announces.
    expect(await failure(readIdxImages(fixture('images-19-too-long-idx3-ubyte')))).toContain(
      'too long: the header announces 19 images of 28 × 28, so expected 14896 bytes of data after the 16-byte header, found 15680',
    );
  });

  it('refuses a missing file, naming it', async () => {
    const missing = fixture('no-such-idx3-ubyte.gz');
    const message = await failure(readIdxImages(missing));
    expect(message).toContain(missing);
    expect(message).toContain('not found');
    expect(await failure(readIdxImages(fixture('')))).toContain('is a folder');
  });
});

describe('loadIdxDataset', () => {
  it('loads train and test splits as a [rows, cols, 1] image data set', async () => {
    const data = await loadIdxDataset({
      name: 'fashion-20',
      trainImages: IMAGES,
      trainLabels: LABELS,
      testImages: IMAGES_GZ,
      testLabels: LABELS_GZ,
      classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
    });
    expect(data).toMatchObject({ name: 'fashion-20', shape: [28, 28, 1], layout: 'hwc', valueRange: [0, 1] });
    expect(data.classes).toHaveLength(10);
    expect(data.train.count).toBe(20);
    expect(data.test.count).toBe(20);
    expect(data.train.x).toEqual(data.test.x);
    expect(Array.from(data.test.labels!)).toEqual(FIRST_20_LABELS);
    expect(data.source).toContain(IMAGES_GZ);
  });

  it('gives null labels and classes without label files, and default class names with them', async () => {
    const unlabelled = await loadIdxDataset({ name: 'u', trainImages: IMAGES_GZ, testImages: IMAGES });
    expect(unlabelled.train.labels).toBeNull();
    expect(unlabelled.test.labels).toBeNull();
    expect(unlabelled.classes).toBeNull();
    const labelled = await loadIdxDataset({ name: 'l', trainImages: IMAGES, trainLabels: LABELS, testImages: IMAGES, testLabels: LABELS });
    expect(labelled.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('refuses an image count other than the label count', async () => {
    const labels19 = fixture('labels-19-idx1-ubyte');
    const message = await failure(
      loadIdxDataset({ name: 'x', trainImages: IMAGES, trainLabels: LABELS, testImages: IMAGES_GZ, testLabels: labels19 }),
    );
    expect(message).toContain(labels19);
    expect(message).toContain(`expected 20 labels, one per image of ${IMAGES_GZ}; found 19`);
  });

  it('refuses train and test images of different sizes', async () => {
    const small = fixture('images-5-14x14-idx3-ubyte');
    const message = await failure(
      loadIdxDataset({ name: 'x', trainImages: IMAGES, trainLabels: LABELS, testImages: small, testLabels: fixture('labels-5-idx1-ubyte') }),
    );
    expect(message).toContain(`${IMAGES} holds 28 × 28 images, ${small} holds 14 × 14`);
  });

  it('refuses labels outside the classes, a missing file, and broken files of either split', async () => {
    expect(
      await failure(loadIdxDataset({ name: 'x', trainImages: IMAGES, trainLabels: LABELS, testImages: IMAGES, testLabels: LABELS, classes: ['a', 'b'] })),
    ).toContain('label 9 at index 0, expected labels 0…1 (2 classes)');
    const missing = fixture('missing-labels-idx1-ubyte');
    expect(await failure(loadIdxDataset({ name: 'x', trainImages: IMAGES, trainLabels: missing, testImages: IMAGES, testLabels: LABELS }))).toContain(
      missing,
    );
    const truncated = fixture('images-20-truncated-idx3-ubyte.gz');
    expect(await failure(loadIdxDataset({ name: 'x', trainImages: IMAGES, testImages: truncated }))).toContain(truncated);
    expect(await failure(loadIdxDataset({ name: 'x', trainImages: LABELS, testImages: IMAGES }))).toContain('found 0x00000801');
  });

  it('refuses one label file without the other, and classes without labels', async () => {
    await failure(loadIdxDataset({ name: 'x', trainImages: IMAGES, trainLabels: LABELS, testImages: IMAGES }), 'invalid-argument');
    await failure(loadIdxDataset({ name: 'x', trainImages: IMAGES, testImages: IMAGES, classes: ['a'] }), 'invalid-argument');
  });
});

describe('limits, checked from the header before anything is allocated or inflated', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vaekit-idx-limits-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const imagesHeader = (count: number, rows: number, cols: number): Buffer => {
    const header = Buffer.alloc(16);
    [0x803, count, rows, cols].forEach((v, i) => header.writeUInt32BE(v, 4 * i));
    return header;
  };

  it('refuses a header announcing more than 2^30 values, raw or gzipped, whatever follows', async () => {
    // 1 400 000 × 28 × 28 = 1 097 600 000 > 2^30 = 1 073 741 824; the files hold only the header.
    const raw = join(dir, 'many-idx3-ubyte');
    await writeFile(raw, imagesHeader(1_400_000, 28, 28));
    let message = await failure(readIdxImages(raw));
    expect(message).toBe(
      `${raw}: the header announces 1400000 images of 28 × 28: 1097600000 values (4.1 GiB as float32); ` +
        'vaekit loads the whole data set into memory and refuses more than 1073741824 values (4 GiB as float32); train on a smaller subset of the files',
    );
    const gz = join(dir, 'many-idx3-ubyte.gz');
    await writeFile(gz, gzipSync(imagesHeader(1_400_000, 28, 28)));
    message = await failure(readIdxHeader(gz, 'images'));
    expect(message).toContain(`${gz}: the header announces 1400000 images of 28 × 28: 1097600000 values (4.1 GiB as float32), 1.0 GiB once inflated`);

    const labels = join(dir, 'labels-idx1-ubyte.gz');
    const labelsHeader = Buffer.alloc(8);
    labelsHeader.writeUInt32BE(0x801, 0);
    labelsHeader.writeUInt32BE(4_000_000_000, 4);
    await writeFile(labels, gzipSync(labelsHeader));
    expect(await failure(readIdxLabels(labels))).toContain(`${labels}: the header announces 4000000000 labels, more than a data set may hold images`);
  });

  it('refuses images over 4096 pixels on a side', async () => {
    const wide = join(dir, 'wide-idx3-ubyte');
    await writeFile(wide, Buffer.concat([imagesHeader(1, 2, 5000), Buffer.alloc(10_000)]));
    expect(await failure(readIdxImages(wide))).toContain(`${wide}: the header announces images of 2 × 5000 pixels; vaekit takes images of at most 4096`);
  });

  it('refuses train and test files within the limit each but over it together, naming both', async () => {
    // 700 000 × 28 × 28 = 548 800 000 each: under 2^30 alone, over it together. Headers only:
    // the sum is refused before either file's data is looked at.
    const train = join(dir, 'train-idx3-ubyte');
    const test = join(dir, 'test-idx3-ubyte');
    await writeFile(train, imagesHeader(700_000, 28, 28));
    await writeFile(test, imagesHeader(700_000, 28, 28));
    expect(await failure(loadIdxDataset({ name: 'x', trainImages: train, testImages: test }))).toContain(
      `${train} and ${test}: their headers announce 700000 images of 28 × 28 and 700000 images of 28 × 28, together 1097600000 values`,
    );
  });

  it('stops inflating a gzip stream within 64 KiB of the end its header announces', async () => {
    // 20 images announced, 16 MiB of zeros behind them.
    const long = join(dir, 'long-idx3-ubyte.gz');
    await writeFile(long, gzipSync(Buffer.concat([imagesHeader(20, 28, 28), Buffer.alloc(16 * 2 ** 20)])));
    const message = await failure(readIdxImages(long));
    expect(message).toContain('too long: the header announces 20 images of 28 × 28, so expected 15680 bytes of data');
    const inflated = Number(/found more \(at least (\d+)\)/.exec(message)?.[1]);
    expect(inflated).toBeGreaterThan(15_680);
    expect(inflated).toBeLessThanOrEqual(15_680 + 65_536);
  });
});
