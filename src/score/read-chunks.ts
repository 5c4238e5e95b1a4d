/**
 * The data of `vaekit score` (and of its queue's producer): any data source of train and eval,
 * read in chunks of a fixed number of rows in the MODEL's layout, holding one chunk at a time.
 * Chunk i holds rows i·chunkRows … — the same rows in every process, which is what makes the
 * scores of a resumed or distributed run equal those of one uninterrupted run.
 */
import { resolve } from 'node:path';
import { VaekitError } from '../errors.js';
import type { VaeManifest } from '../manifest/schema.js';
import { DEFAULT_SEED } from '../sampler/index.js';
import { fashionMnistFiles, FASHION_MNIST_DIR } from '../train/data/fashion-mnist.js';
import { loadEmbeddedMnist } from '../train/data/mnist-embedded.js';
import { findPngs, folderLabels } from '../train/data/png-folder.js';
import { seededTestMask } from '../train/data/scaling.js';
import { checkDataOptions, type DataOptions, type DataSource } from '../train/options/data-options.js';
import { hwcToChw, imageDims } from '../vae/pixel-layout.js';
import { csvRows } from './csv-rows.js';
import { type IdxPart, type RowReader, idxHeaders, idxRows, memoryRows, pngRows } from './row-readers.js';
import type { ScoreChunkInput } from './score-chunk.js';

/** Which rows to score: both splits (train rows first, then test), or one. */
export type ScoreSplit = 'all' | 'train' | 'test';
export const SCORE_SPLITS: readonly ScoreSplit[] = ['all', 'train', 'test'];

/** The data options of train/eval, plus which split and how many rows to score. */
export type ScoreDataOptions = DataOptions & {
  /** Default `all`: the train rows, then the test rows (row index = position in that order). */
  split?: ScoreSplit;
  /** Score only the first `maxRows` rows (of the split); default all. */
  maxRows?: number;
};

/** One chunk of rows to score; `index` is the chunk's number (its rows start at index · chunkRows). */
export type ScoreChunk = ScoreChunkInput & { index: number };

/** The two files (train, test) of an IDX source, in the order of `split`. */
async function idxParts(source: 'fashion-mnist' | 'idx', options: DataOptions, split: ScoreSplit): Promise<IdxPart[]> {
  const files = source === 'fashion-mnist'
    ? await fashionMnistFiles(options.dir ?? FASHION_MNIST_DIR)
    : { trainImages: options.trainImages!, trainLabels: options.trainLabels, testImages: options.testImages!, testLabels: options.testLabels };
  if ((files.trainLabels === undefined) !== (files.testLabels === undefined)) {
    throw new VaekitError('invalid-argument', `data 'idx': give both 'trainLabels' and 'testLabels' or neither; found only ${files.trainLabels === undefined ? "'testLabels'" : "'trainLabels'"}`);
  }
  const train = { images: files.trainImages, labels: files.trainLabels };
  const test = { images: files.testImages, labels: files.testLabels };
  return split === 'all' ? [train, test] : split === 'train' ? [train] : [test];
}

/** A PNG folder's files and labels, in code-point order of their paths, cut to `split` by loadPngFolder's seeded rule. */
async function pngPart(options: DataOptions, split: ScoreSplit): Promise<{ root: string; files: string[]; labels: Int32Array | null; classes: string[] | null }> {
  const root = resolve(options.dir!);
  const all = await findPngs(root).catch((cause: Error) => {
    throw new VaekitError('io-error', `PNG folder ${root} cannot be read: ${cause.message}`, { cause });
  });
  if (all.length === 0) throw new VaekitError('invalid-data', `PNG folder ${root} holds no .png file (searched recursively)`);
  const { classes, labels } = folderLabels(root, all, 'auto');
  if (split === 'all') return { root, files: all, labels, classes };
  const mask = seededTestMask(all.length, labels, options.testFraction ?? 0.1, options.splitSeed ?? DEFAULT_SEED);
  const keep = all.map((_, i) => i).filter((i) => (mask[i] === 1) === (split === 'test'));
  return { root, files: keep.map((i) => all[i]!), labels: labels ? Int32Array.from(keep, (i) => labels[i]!) : null, classes };
}

/** Opens the rows of `source` for the model of `manifest`; `total` is known when the source tells it cheaply. */
async function openRows(manifest: VaeManifest, source: DataSource, options: DataOptions, split: ScoreSplit): Promise<RowReader & { total: number | null }> {
  const dims = imageDims(manifest.input.shape, manifest.input.layout);
  switch (source) {
    case 'mnist': {
      const mnist = await loadEmbeddedMnist();
      const splits = split === 'all' ? [mnist.train, mnist.test] : [mnist[split]];
      return { ...memoryRows(splits, 784, { height: 28, width: 28, channels: 1 }), total: splits.reduce((n, s) => n + s.count, 0) };
    }
    case 'fashion-mnist':
    case 'idx': {
      const parts = await idxParts(source, options, split);
      const total = (await idxHeaders(parts)).reduce((n, h) => n + h.images.count, 0);
      return { ...(await idxRows(parts)), total };
    }
    case 'png': {
      if (!dims || (dims.channels !== 1 && dims.channels !== 3)) {
        throw new VaekitError('shape-mismatch', `data 'png' holds images; model '${manifest.name}' takes input shape [${manifest.input.shape.join(', ')}] (layout ${manifest.input.layout})`);
      }
      const { root, files, labels, classes } = await pngPart(options, split);
      let modelLabels = labels;
      if (labels && manifest.condition) {
        // Sub-folder names are class names: a conditional model's index of each.
        const index = classes!.map((name) => manifest.condition!.labels.indexOf(name));
        const unknown = classes!.filter((_, i) => index[i]! < 0);
        if (unknown.length) {
          throw new VaekitError('invalid-data', `PNG folder ${root}: class folder(s) ${unknown.join(', ')} are not classes of model '${manifest.name}' (${manifest.condition.labels.join(', ')})`);
        }
        modelLabels = labels.map((l) => index[l]!);
      }
      const image = { height: dims.height, width: dims.width, channels: dims.channels as 1 | 3 };
      return { ...pngRows(root, files, modelLabels, image, manifest.name), total: files.length };
    }
    case 'csv':
      return csvRows(manifest, { file: options.file!, columns: options.columns, label: options.label, split, testFraction: options.testFraction ?? 0.1, splitSeed: options.splitSeed });
  }
}

/** Refuses data whose rows are not the model's examples, naming both. */
function checkShape(manifest: VaeManifest, source: DataSource, rows: RowReader): void {
  const features = manifest.input.shape.reduce((a, b) => a * b, 1);
  const dims = imageDims(manifest.input.shape, manifest.input.layout);
  const image = rows.image;
  const sameImage = !image || !dims || (image.height === dims.height && image.width === dims.width && image.channels === dims.channels);
  if (rows.features !== features || !sameImage) {
    const found = image ? `${image.height}×${image.width}×${image.channels} images (${rows.features} values)` : `rows of ${rows.features} values`;
    throw new VaekitError(
      'shape-mismatch',
      `data '${source}' holds ${found}; model '${manifest.name}' takes input shape [${manifest.input.shape.join(', ')}] (layout ${manifest.input.layout}, ${features} values)`,
    );
  }
  if (manifest.condition && !rows.labelled) {
    throw new VaekitError('condition-mismatch', `model '${manifest.name}' is conditional: scoring needs a label per row; data '${source}' has none`);
  }
}

function checkChunkRows(chunkRows: number, startChunk: number): void {
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1) throw new VaekitError('invalid-argument', `'chunkRows' must be an integer ≥ 1; found ${chunkRows}`);
  if (!Number.isSafeInteger(startChunk) || startChunk < 0) throw new VaekitError('invalid-argument', `'startChunk' must be an integer ≥ 0; found ${startChunk}`);
}

/**
 * Streams `source` in chunks of `chunkRows` rows in the model's layout (channel-last images become
 * channel-first for a `chw` model), with labels when the data has them, starting at chunk
 * `startChunk` (earlier rows are read past, not decoded or scaled). Memory holds one chunk:
 * IDX files (fashion-mnist, idx) and CSV tables are read as streams, PNG folders decoded a chunk at
 * a time; only `mnist` (10 000 embedded digits) is loaded whole.
 *
 * Row order (the `first` of each chunk counts in it): `split: 'all'` (default) takes the train
 * rows then the test rows — for IDX the train file then the test file, for mnist its 9 000 / 1 000
 * split, for png and csv the file order (the train/test split applies only to `train`/`test`).
 * CSV rows are scaled with the manifest's `input.scaling`, never refitted; feature columns are
 * `columns`, else the ones training recorded, else csv.ts's default rule.
 *
 * @example
 * ```ts
 * for await (const chunk of readScoreChunks(vae.manifest, 'fashion-mnist', { split: 'test' }, 256)) {
 *   const scored = await scoreChunk(vae, chunk, { k: 100, seed: 0 });
 * }
 * ```
 *
 * @throws VaekitError `shape-mismatch` when the data's rows are not the model's examples (naming
 * both), `condition-mismatch` when a conditional model meets unlabelled data, and the loaders'
 * `invalid-data` / `io-error` for bad files.
 */
export async function* readScoreChunks(
  manifest: VaeManifest,
  source: DataSource,
  options: ScoreDataOptions,
  chunkRows: number,
  startChunk = 0,
): AsyncGenerator<ScoreChunk> {
  checkChunkRows(chunkRows, startChunk);
  const { split = 'all', maxRows, ...dataOptions } = options;
  if (!SCORE_SPLITS.includes(split)) throw new VaekitError('invalid-argument', `'split' must be one of ${SCORE_SPLITS.join(', ')}; found ${JSON.stringify(split)}`);
  const limit = maxRows ?? Number.MAX_SAFE_INTEGER;
  const rows = await openRows(manifest, source, checkDataOptions(source, dataOptions), split);
  try {
    checkShape(manifest, source, rows);
    const dims = imageDims(manifest.input.shape, manifest.input.layout);
    const toChw = manifest.input.layout === 'chw' && dims !== null;
    const skipRows = Math.min(startChunk * chunkRows, limit);
    if ((await rows.skip(skipRows)) < skipRows) return;
    for (let index = startChunk, first = skipRows; first < limit; index++, first += chunkRows) {
      const batch = await rows.read(Math.min(chunkRows, limit - first));
      if (batch.count === 0) return;
      const x = toChw ? hwcToChw(batch.x, batch.count, dims) : batch.x;
      if (batch.labels && manifest.condition) checkLabels(manifest, source, batch.labels, first);
      yield { index, first, count: batch.count, x, labels: batch.labels };
      if (batch.count < chunkRows) return;
    }
  } finally {
    await rows.close();
  }
}

function checkLabels(manifest: VaeManifest, source: DataSource, labels: Int32Array, first: number): void {
  const classes = manifest.condition!.classes;
  const bad = labels.findIndex((l) => l < 0 || l >= classes);
  if (bad >= 0) {
    throw new VaekitError('condition-mismatch', `data '${source}' row ${first + bad} has label ${labels[bad]}; model '${manifest.name}' has classes 0…${classes - 1}`);
  }
}

/**
 * How many rows `readScoreChunks` will give, when the data says so without reading it (IDX
 * headers, the PNG listing, the embedded digits); null for CSV, whose rows are counted only by
 * reading the file.
 */
export async function countScoreRows(source: DataSource, options: ScoreDataOptions): Promise<number | null> {
  const { split = 'all', maxRows, ...dataOptions } = options;
  if (source === 'csv') return null;
  const checked = checkDataOptions(source, dataOptions);
  let total: number;
  if (source === 'mnist') {
    const mnist = await loadEmbeddedMnist();
    total = split === 'all' ? mnist.train.count + mnist.test.count : mnist[split].count;
  }
  else if (source === 'png') total = (await pngPart(checked, split)).files.length;
  else total = (await idxHeaders(await idxParts(source, checked, split))).reduce((n, h) => n + h.images.count, 0);
  return Math.min(total, maxRows ?? Number.MAX_SAFE_INTEGER);
}

/**
 * The data a run reads, as one line (for a resume's identity check and the progress line):
 * the source, its options with files as absolute paths, the split and the row limit.
 */
export function describeScoreData(source: DataSource, options: ScoreDataOptions): string {
  const { split = 'all', maxRows, ...dataOptions } = options;
  const checked: Record<string, unknown> = { ...checkDataOptions(source, dataOptions) };
  for (const key of ['trainImages', 'trainLabels', 'testImages', 'testLabels', 'dir', 'file'] as const) {
    if (typeof checked[key] === 'string') checked[key] = resolve(checked[key]);
  }
  if (source === 'fashion-mnist' && checked.dir === undefined) checked.dir = FASHION_MNIST_DIR;
  const keys = Object.keys(checked).sort();
  const parts = keys.map((k) => `${k}=${Array.isArray(checked[k]) ? (checked[k] as string[]).join(',') : String(checked[k])}`);
  return `${source}${parts.length ? ` ${parts.join(' ')}` : ''} split=${split}${maxRows !== undefined ? ` maxRows=${maxRows}` : ''}`;
}
