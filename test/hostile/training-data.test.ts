/**
 * Hostile training data (issue 10, item 6): files a few MB on disk that announce, inflate or
 * decode to gigabytes. Each case builds its files in a fresh folder, loads them in a fresh process
 * the way `vaekit train --data …` does, and checks that the loader refuses them with
 * `invalid-data` naming the file, within 300 MB of peak RSS, leaving the folder as it was.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR } from '../../src/train/data/fashion-mnist.js';
import { writeZeroPng } from '../helpers/zero-png.js';
import { fingerprint, inChild } from './harness.js';
import {
  IDX_IMAGES_20,
  IDX_LABELS_20,
  digitsWith,
  idxImagesHeader,
  idxLabelsHeader,
  writeGzipBomb,
  writePngCopies,
  writeSparse,
} from './training-data-files.js';

const MAX_PEAK_MB = 300;
const GIB = 2 ** 30;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaekit-hostile-data-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  return dir;
}

/**
 * Runs `loadDataset(name, options)` in a child; expects `invalid-data` naming `file`, a peak RSS
 * under MAX_PEAK_MB and `dir` unchanged. Returns the message.
 */
async function refused(dir: string, name: string, options: Record<string, string>, file: string): Promise<string> {
  const before = await fingerprint(dir);
  const { result, peakRssMb } = await inChild(`
    const { loadDataset } = await import(src('train/data/load-dataset.ts'));
    const data = await loadDataset(${JSON.stringify(name)}, ${JSON.stringify(options)});
    report({ loaded: data.train.count });
  `);
  const thrown = result.thrown as { code?: string; message?: string } | undefined;
  expect(thrown?.code, JSON.stringify(result)).toBe('invalid-data');
  expect(thrown?.message).toContain(file);
  expect(peakRssMb).toBeLessThan(MAX_PEAK_MB);
  expect(await fingerprint(dir)).toEqual(before);
  return thrown!.message!;
}

describe('hostile IDX files', () => {
  it('refuses a 3 MB gzip bomb whose header claims 4 000 000 images (3.1 GB of zeros) before inflating it', async () => {
    const dir = await folder('gzip-bomb');
    const bomb = join(dir, 'train-images-idx3-ubyte.gz');
    await writeGzipBomb(bomb, idxImagesHeader(4_000_000, 28, 28), 4_000_000 * 784);
    const message = await refused(dir, 'idx', { trainImages: bomb, testImages: IDX_IMAGES_20 }, bomb);
    expect(message).toContain('4000000 images of 28 × 28: 3136000000 values (11.7 GiB as float32), 2.9 GiB once inflated');
  });

  it('stops inflating a gzip stream 64 KiB past the 20 images its header announces (512 MiB follow)', async () => {
    const dir = await folder('gzip-too-long');
    const long = join(dir, 'train-images-idx3-ubyte.gz');
    await writeGzipBomb(long, idxImagesHeader(20, 28, 28), 512 * 2 ** 20);
    const message = await refused(dir, 'idx', { trainImages: long, testImages: IDX_IMAGES_20 }, long);
    const inflated = Number(/too long: .* found more \(at least (\d+)\)/.exec(message)?.[1]);
    expect(inflated).toBeLessThanOrEqual(20 * 784 + 65_536);
  });

  it('refuses a sparse uncompressed file of 1.1 GB whose size matches its header (1 400 000 images)', async () => {
    const dir = await folder('sparse');
    const sparse = join(dir, 'train-images-idx3-ubyte');
    await writeSparse(sparse, idxImagesHeader(1_400_000, 28, 28), 16 + 1_400_000 * 784);
    expect(await refused(dir, 'idx', { trainImages: sparse, testImages: IDX_IMAGES_20 }, sparse)).toContain(
      'refuses more than 1073741824 values (4 GiB as float32)',
    );
  });

  it('refuses an uncompressed file whose header claims 4 000 000 images but holds 20', async () => {
    const dir = await folder('lying');
    const lying = join(dir, 'train-images-idx3-ubyte');
    await writeSparse(lying, idxImagesHeader(4_000_000, 28, 28), 16 + 20 * 784);
    await refused(dir, 'idx', { trainImages: lying, testImages: IDX_IMAGES_20 }, lying);
  });

  it('refuses a labels file claiming 4 000 000 000 labels for 20 images', async () => {
    const dir = await folder('labels');
    const labels = join(dir, 'train-labels-idx1-ubyte.gz');
    await writeGzipBomb(labels, idxLabelsHeader(4_000_000_000), 0);
    await refused(dir, 'idx', { trainImages: IDX_IMAGES_20, trainLabels: labels, testImages: IDX_IMAGES_20, testLabels: IDX_LABELS_20 }, labels);
  });
});

describe('hostile PNG folders', () => {
  it('refuses a folder of 20 000 × 20 000 PNGs (390 KB each) from the first header', async () => {
    const dir = await folder('huge-pngs');
    await writePngCopies(dir, { width: 20_000, height: 20_000 }, 3);
    const message = await refused(dir, 'png', { dir }, join(dir, 'image-0.png'));
    expect(message).toContain('20000×20000 pixels (width×height); vaekit takes images of at most 4096 pixels on a side');
  });

  it('refuses one 20 000 × 20 000 PNG among 30 real 28 × 28 digits before decoding any', async () => {
    const dir = await folder('one-huge');
    const huge = await digitsWith(dir, 'zz-huge.png', (path) => writeZeroPng(path, { width: 20_000, height: 20_000 }));
    await refused(dir, 'png', { dir }, huge);
  });

  it('refuses an interlaced PNG that claims 28 × 28 and inflates to 512 MiB', async () => {
    const dir = await folder('interlaced-bomb');
    const bomb = await digitsWith(dir, 'zz-bomb.png', (path) =>
      writeZeroPng(path, { width: 28, height: 28, interlaced: true }, { dataBytes: 512 * 2 ** 20 }),
    );
    expect(await refused(dir, 'png', { dir }, bomb)).toContain('inflates to more than the 837 bytes');
  });

  it('refuses 65 gray PNGs of 4096 × 4096 (2^30 + 2^24 values) before decoding any', async () => {
    const dir = await folder('many-4096');
    await writePngCopies(dir, { width: 4096, height: 4096 }, 65);
    expect(await refused(dir, 'png', { dir }, dir)).toContain('65 images of 4096×4096 gray would take 1090519040 values');
  });
});

describe('legitimate data under the same limits', () => {
  it.skipIf(!existsSync(FASHION_MNIST_DIR))('still loads all 70 000 Fashion-MNIST images', async () => {
    const { result, peakRssMb } = await inChild(`
      const { loadDataset } = await import(src('train/data/load-dataset.ts'));
      const data = await loadDataset('fashion-mnist', {});
      report({ train: data.train.count, test: data.test.count, values: data.train.x.length + data.test.x.length });
    `);
    expect(result).toEqual({ train: 60_000, test: 10_000, values: 70_000 * 784 });
    // 219 MB of float32 pixels and int32 labels, plus Node and tsx.
    expect(peakRssMb).toBeLessThan(450);
    expect(70_000 * 784 * 4).toBeLessThan(4 * GIB);
  });
});
