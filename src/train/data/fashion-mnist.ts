import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VaekitError } from '../../errors.js';
import type { Dataset } from './dataset.js';
import { loadIdxDataset } from './idx.js';

/** Where Debian's package `dataset-fashion-mnist` installs the IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's classes, index = label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const INSTALL_HINT = 'run `apt-get install dataset-fashion-mnist` (Debian/Ubuntu) or pass the folder holding the IDX files';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** `<name>.gz` as shipped, else `<name>` unpacked (compression is told by the content either way). */
async function findFile(dir: string, name: string): Promise<string> {
  for (const candidate of [`${name}.gz`, name]) {
    const path = join(dir, candidate);
    if (await isFile(path)) return path;
  }
  throw new VaekitError('invalid-data', `Fashion-MNIST: ${join(dir, `${name}.gz`)} not found (nor ${name} unpacked); ${INSTALL_HINT}`);
}

/**
 * Fashion-MNIST (Zalando): 60 000 training and 10 000 test greyscale 28 × 28 images of ten kinds of
 * clothing, pixels in [0, 1], shape [28, 28, 1], read from the four IDX files
 * (`train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`,
 * `t10k-labels-idx1-ubyte.gz`, or the same names unpacked) in `dir`, by default where Debian's
 * package `dataset-fashion-mnist` installs them.
 *
 * @example
 * ```ts
 * const fashion = await loadFashionMnist();
 * console.log(fashion.train.count, fashion.test.count); // 60000 10000
 * ```
 *
 * @throws VaekitError `invalid-data` when the folder or a file is missing (saying how to install
 * them) or a file is not valid IDX data.
 */
export async function loadFashionMnist(dir: string = FASHION_MNIST_DIR): Promise<Dataset> {
  return loadIdxDataset({
    ...(await fashionMnistFiles(dir)),
    name: 'fashion-mnist',
    classes: [...FASHION_MNIST_CLASSES],
    source: `Fashion-MNIST IDX files in ${dir}`,
  });
}

/**
 * The four IDX files of Fashion-MNIST in `dir` (`.gz` as shipped, else unpacked).
 *
 * @throws VaekitError `invalid-data` when the folder or a file is missing, saying how to install them.
 */
export async function fashionMnistFiles(dir: string = FASHION_MNIST_DIR): Promise<Record<keyof typeof FILES, string>> {
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new VaekitError('invalid-data', `Fashion-MNIST: folder ${dir} not found; ${INSTALL_HINT}`);
  return {
    trainImages: await findFile(dir, FILES.trainImages),
    trainLabels: await findFile(dir, FILES.trainLabels),
    testImages: await findFile(dir, FILES.testImages),
    testLabels: await findFile(dir, FILES.testLabels),
  };
}
