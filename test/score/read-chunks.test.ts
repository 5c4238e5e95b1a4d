import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { VaeManifest } from '../../src/manifest/schema.js';
import { countScoreRows, describeScoreData, readScoreChunks, type ScoreChunk, type ScoreDataOptions } from '../../src/score/read-chunks.js';
import { loadCsv } from '../../src/train/data/csv.js';
import { loadIdxDataset } from '../../src/train/data/idx.js';
import { loadPngFolder } from '../../src/train/data/png-folder.js';
import type { DataSource } from '../../src/train/options/data-options.js';
import { hwcToChw } from '../../src/vae/pixel-layout.js';
import { rejected } from '../helpers/thrown.js';

const fixture = (path: string): string => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
const MLP = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/mnist-mlp/vaekit.json', import.meta.url)), 'utf8')) as VaeManifest;
const IDX = {
  trainImages: fixture('idx/images-20-idx3-ubyte.gz'), trainLabels: fixture('idx/labels-20-idx1-ubyte.gz'),
  testImages: fixture('idx/images-20-idx3-ubyte'), testLabels: fixture('idx/labels-20-idx1-ubyte'),
};
const STATS = fixture('csv/mnist-digit-stats.csv');

/** A manifest like mnist-mlp's with another input. */
function manifestWith(input: Partial<VaeManifest['input']>, extra: Partial<VaeManifest> = {}): VaeManifest {
  return { ...MLP, name: 'test-model', input: { ...MLP.input, ...input }, ...extra };
}

async function collect(manifest: VaeManifest, source: DataSource, options: ScoreDataOptions, chunkRows: number, start = 0): Promise<ScoreChunk[]> {
  const chunks: ScoreChunk[] = [];
  for await (const chunk of readScoreChunks(manifest, source, options, chunkRows, start)) chunks.push(chunk);
  return chunks;
}

function concat(chunks: ScoreChunk[]): { x: Float32Array; labels: number[] } {
  const x = new Float32Array(chunks.reduce((n, c) => n + c.x.length, 0));
  let at = 0;
  for (const c of chunks) {
    x.set(c.x, at);
    at += c.x.length;
  }
  return { x, labels: chunks.flatMap((c) => (c.labels ? [...c.labels] : [])) };
}

describe('readScoreChunks', () => {
  it('streams IDX files (gzipped train, raw test) in chunks of fixed rows: train rows, then test rows', async () => {
    const chunks = await collect(MLP, 'idx', IDX, 7);
    expect(chunks.map((c) => [c.index, c.first, c.count])).toEqual([[0, 0, 7], [1, 7, 7], [2, 14, 7], [3, 21, 7], [4, 28, 7], [5, 35, 5]]);
    const whole = await loadIdxDataset({ ...IDX, name: 'idx' });
    const { x, labels } = concat(chunks);
    expect(x).toEqual(Float32Array.from([...whole.train.x, ...whole.test.x]));
    expect(labels).toEqual([...whole.train.labels!, ...whole.test.labels!]);
    expect(await countScoreRows('idx', IDX)).toBe(40);
    expect(await countScoreRows('idx', { ...IDX, split: 'test', maxRows: 15 })).toBe(15);
  });

  it('starts at a chunk with the rows a full read gives there, and honours split and maxRows', async () => {
    const full = await collect(MLP, 'idx', IDX, 6);
    const resumed = await collect(MLP, 'idx', IDX, 6, 4);
    expect(resumed).toEqual(full.slice(4));
    const test = await collect(MLP, 'idx', { ...IDX, split: 'test', maxRows: 13 }, 6);
    expect(test.map((c) => c.count)).toEqual([6, 6, 1]);
    expect(concat(test).x).toEqual(concat(full).x.slice(20 * 784, 33 * 784));
    expect(await collect(MLP, 'idx', IDX, 6, 99)).toEqual([]);
  });

  it('gives a chw model its images channel-first', async () => {
    const rgb = fixture('png-folder/rgb');
    const chw = manifestWith({ shape: [3, 14, 14], layout: 'chw' });
    const hwc = manifestWith({ shape: [14, 14, 3], layout: 'hwc' });
    const a = concat(await collect(chw, 'png', { dir: rgb }, 4));
    const b = concat(await collect(hwc, 'png', { dir: rgb }, 4));
    expect(a.x).toEqual(hwcToChw(b.x, 6, { height: 14, width: 14, channels: 3 }));
    expect(a.x).not.toEqual(b.x);
  });

  it("takes a PNG folder's rows in path order and its train/test split as loadPngFolder draws it", async () => {
    const digits = fixture('png-folder/digits');
    const small = manifestWith({ shape: [28, 28, 1] });
    const whole = await loadPngFolder(digits);
    const test = concat(await collect(small, 'png', { dir: digits, split: 'test' }, 2));
    expect(test.x).toEqual(whole.test.x);
    expect(test.labels).toEqual([...whole.test.labels!]);
    expect(await countScoreRows('png', { dir: digits })).toBe(whole.train.count + whole.test.count);
  });

  it("scales CSV rows with the manifest's recorded scaling and takes the split loadCsv draws", async () => {
    const table = await loadCsv(STATS, { label: 'digit' });
    const model = manifestWith(
      { shape: [6], layout: 'features', scaling: table.scaling },
      { training: { ...MLP.training!, config: { data: 'csv', dataOptions: { file: STATS, label: 'digit' } } } },
    );
    for (const split of ['train', 'test'] as const) {
      const got = concat(await collect(model, 'csv', { file: STATS, split }, 16));
      expect(got.x).toEqual(table[split].x);
      expect(got.labels).toEqual([...table[split].labels!]);
    }
    const all = await collect(model, 'csv', { file: STATS }, 50);
    expect(all.map((c) => c.count)).toEqual([50, 50, 20]);
    expect(await countScoreRows('csv', { file: STATS })).toBeNull();
  });

  it("gives a conditional model its own class indices: CSV class names and PNG class folders by name", async () => {
    const table = await loadCsv(STATS, { label: 'digit', columns: ['ink', 'height', 'width'] });
    const condition = (labels: string[]) => ({ condition: { classes: labels.length, labels } });
    // Recorded columns pick 3 of the file's numeric columns; the classes are the model's, in its order.
    const model = manifestWith(
      { shape: [3], layout: 'features', scaling: table.scaling },
      { ...condition(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']), training: { ...MLP.training!, config: { dataOptions: { label: 'digit', columns: ['ink', 'height', 'width'] } } } },
    );
    const got = concat(await collect(model, 'csv', { file: STATS, split: 'test' }, 64));
    expect(got.x).toEqual(table.test.x);
    expect(got.labels).toEqual([...table.test.labels!].map((l) => 9 - l));
    const unknown = await rejected(collect({ ...model, condition: { classes: 2, labels: ['0', '1'] } }, 'csv', { file: STATS }, 64));
    expect(unknown.message).toMatch(/row \d+: class "2" is not one of model 'test-model''s classes \(0, 1\)/);

    const digits = fixture('png-folder/digits');
    const png = concat(await collect(manifestWith({}, condition(['x', '2', '1', '0'])), 'png', { dir: digits }, 64));
    const whole = await loadPngFolder(digits, { testFraction: 0 });
    expect(png.labels).toEqual([...whole.train.labels!].map((l) => 3 - l));
    const missing = await rejected(collect(manifestWith({}, condition(['0', '1'])), 'png', { dir: digits }, 64));
    expect(missing.message).toContain("class folder(s) 2 are not classes of model 'test-model' (0, 1)");
  });

  it('refuses data whose rows are not the model\'s examples, naming both', async () => {
    const error = await rejected(collect(manifestWith({ shape: [6], layout: 'features' }), 'idx', IDX, 8));
    expect(error.code).toBe('shape-mismatch');
    expect(error.message).toContain("data 'idx' holds 28×28×1 images (784 values); model 'test-model' takes input shape [6]");
    const csv = await rejected(collect(manifestWith({ shape: [5], layout: 'features' }), 'csv', { file: STATS, label: 'digit' }, 8));
    expect(csv.code).toBe('shape-mismatch');
    expect(csv.message).toMatch(/6 feature column\(s\) \(ink, on_pixels, row_centroid, col_centroid, height, width\); model 'test-model' takes 5/);
  });

  it('describes the data with absolute paths, split and row limit', () => {
    expect(describeScoreData('csv', { file: 'x.csv', split: 'test', maxRows: 10 })).toMatch(/^csv file=\/.*\/x\.csv scaling=min-max testFraction=0\.1 split=test maxRows=10$/);
    expect(describeScoreData('mnist', {})).toBe('mnist split=all');
  });
});
