import { readFileSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../../../src/train/data/csv.js';
import { rejected } from '../../helpers/thrown.js';

const fixtures = fileURLToPath(new URL('../../fixtures/csv/', import.meta.url));
const stats = join(fixtures, 'mnist-digit-stats.csv');


/** The raw numbers of `column` in the file, by data row. */
function rawColumn(column: string): number[] {
  const [header, ...rows] = readFileSync(stats, 'utf8').trim().split('\n').map((l) => l.split(','));
  const j = header!.indexOf(column);
  return rows.map((r) => Number(r[j]));
}

describe('loadCsv', () => {
  it('reads per-digit statistics of real MNIST digits: numeric columns, integer classes, min-max to [0, 1]', async () => {
    const data = await loadCsv(stats, { label: 'digit' });
    // `id` is text and left out; `digit` is the label.
    expect(data.columns).toEqual(['ink', 'on_pixels', 'row_centroid', 'col_centroid', 'height', 'width']);
    expect(data.shape).toEqual([6]);
    expect(data.layout).toBe('features');
    expect(data.valueRange).toEqual([0, 1]);
    expect(data.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(data.train.count + data.test.count).toBe(120);
    expect(data.test.count).toBe(10); // round(12 × 0.1) = 1 per class
    expect([...data.test.labels!].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(data.scaling?.kind).toBe('min-max');
    for (const split of [data.train, data.test]) {
      expect(split.x.length).toBe(split.count * 6);
      for (const v of split.x) expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
    }
    // Every train column reaches both ends of [0, 1].
    for (let j = 0; j < 6; j++) {
      const col = Array.from({ length: data.train.count }, (_, i) => data.train.x[i * 6 + j]!);
      expect(Math.min(...col)).toBe(0);
      expect(Math.max(...col)).toBe(1);
    }
    expect(data.source).toContain('scaling min-max fitted on train');
  });

  it('fits the scaling on the train split only and applies it to both', async () => {
    const data = await loadCsv(stats, { label: 'digit', scaling: 'standardize', testFraction: 0.25, splitSeed: 3 });
    if (data.scaling?.kind !== 'standardize') throw new Error('expected standardize');
    const ink = rawColumn('ink');
    // Recover the raw train values of `ink` from the scaled ones, then check the stored mean / std are theirs.
    const { mean, std } = data.scaling;
    const trainInk = Array.from({ length: data.train.count }, (_, i) => data.train.x[i * 6]! * std[0]! + mean[0]!);
    const testInk = Array.from({ length: data.test.count }, (_, i) => data.test.x[i * 6]! * std[0]! + mean[0]!);
    const m = trainInk.reduce((s, v) => s + v, 0) / trainInk.length;
    expect(mean[0]).toBeCloseTo(m, 5);
    const allMean = ink.reduce((s, v) => s + v, 0) / ink.length;
    expect(Math.abs(mean[0]! - allMean)).toBeGreaterThan(1e-6); // not the whole file's mean
    // Train + test are exactly the file's rows, scaled with the train statistics.
    const sorted = (a: number[]): number[] => a.map((v) => Math.round(v * 1e4) / 1e4).sort((p, q) => p - q);
    expect(sorted([...trainInk, ...testInk])).toEqual(sorted(ink));
    // Standardized train columns: mean 0, std 1; the test split is not re-centred.
    const scaledTrain = Array.from({ length: data.train.count }, (_, i) => data.train.x[i * 6]!);
    expect(scaledTrain.reduce((s, v) => s + v, 0) / scaledTrain.length).toBeCloseTo(0, 5);
    expect(data.valueRange[0]).toBeLessThan(-1);
    expect(data.valueRange[1]).toBeGreaterThan(1);
    expect(data.valueRange).toEqual([Math.min(...data.train.x), Math.max(...data.train.x)]);

    // Min-max: the stored min / max are the train split's extremes.
    const mm = await loadCsv(stats, { label: 'digit', columns: ['ink'], testFraction: 0.25, splitSeed: 3 });
    if (mm.scaling?.kind !== 'min-max') throw new Error('expected min-max');
    expect(sorted(trainInk)[0]).toBeCloseTo(mm.scaling.min[0]!, 6);
    expect(sorted(trainInk).at(-1)).toBeCloseTo(mm.scaling.max[0]!, 6);
  });

  it('draws the same seeded split every run and a different one for another seed', async () => {
    const a = await loadCsv(stats, { label: 'digit', splitSeed: 11, testFraction: 0.5 });
    const b = await loadCsv(stats, { label: 'digit', splitSeed: 11, testFraction: 0.5 });
    const c = await loadCsv(stats, { label: 'digit', splitSeed: 12, testFraction: 0.5 });
    expect(a.test.count).toBe(60);
    expect(b.test.x).toEqual(a.test.x);
    expect(b.scaling).toEqual(a.scaling);
    expect(c.test.x).not.toEqual(a.test.x);
  });

  it("keeps raw values with scaling 'none' and handles constant columns without dividing by zero", async () => {
    const raw = await loadCsv(stats, { columns: ['height', 'width'], scaling: 'none', testFraction: 0 });
    expect(raw.scaling).toBeNull();
    expect(raw.classes).toBeNull();
    expect(raw.train.x[0]).toBe(rawColumn('height')[0]);
    expect(raw.valueRange).toEqual([Math.min(...raw.train.x), Math.max(...raw.train.x)]);

    const mm = await loadCsv(join(fixtures, 'constant.csv'), { testFraction: 0.2 });
    expect(mm.scaling).toEqual({ kind: 'min-max', min: [expect.any(Number), 5, 7], max: [expect.any(Number), 6, 8] });
    const st = await loadCsv(join(fixtures, 'constant.csv'), { scaling: 'standardize', testFraction: 0.2 });
    if (st.scaling?.kind !== 'standardize') throw new Error('expected standardize');
    expect(st.scaling.std.slice(1)).toEqual([1, 1]);
    for (const d of [mm, st]) {
      for (const v of [...d.train.x, ...d.test.x]) expect(Number.isFinite(v)).toBe(true);
      for (let i = 0; i < d.train.count; i++) expect([d.train.x[i * 3 + 1], d.train.x[i * 3 + 2]]).toEqual([0, 0]);
    }
  });

  it('parses quoted fields with commas and quotes; string classes sorted by name', async () => {
    const data = await loadCsv(join(fixtures, 'quoted.csv'), { label: 'region', testFraction: 0 });
    expect(data.columns).toEqual(['lat, deg', 'lon, deg']); // `city` is text
    expect(data.classes).toEqual(['Asia, East', 'Europe, Central', 'Europe, West']);
    expect([...data.train.labels!]).toEqual([2, 1, 2, 1, 0, 0, 2, 1, 0, 0]);
    expect(data.train.count).toBe(10);
  });

  it('names the row and counts of a ragged row', async () => {
    const e = await rejected(loadCsv(join(fixtures, 'ragged.csv')));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toMatch(/ragged\.csv row 4 has 2 field\(s\) but the header has 3/);
  });

  it('names row, column and text of a non-numeric cell', async () => {
    const e = await rejected(loadCsv(join(fixtures, 'non-numeric.csv')));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toMatch(/non-numeric\.csv row 3, column "y": expected a number, found "abc"/);
  });

  it('names row and column of an empty cell', async () => {
    const e = await rejected(loadCsv(join(fixtures, 'empty-cell.csv'), { label: 'kind' }));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toMatch(/empty-cell\.csv row 4, column "y": expected a number, found an empty cell/);
  });

  it('gives the line too when a quoted line break or blank line shifts it', async () => {
    const e = await rejected(loadCsv(join(fixtures, 'multiline-error.csv'), { columns: ['x', 'y'] }));
    expect(e.message).toMatch(/row 3 \(line 5\), column "y": expected a number, found "oops"/);
  });

  it('refuses a file without header, unknown columns and bad options', async () => {
    expect((await rejected(loadCsv(join(fixtures, 'no-header.csv')))).message).toMatch(/header/);
    const e = await rejected(loadCsv(stats, { columns: ['ink', 'nope'] }));
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toContain('"nope"');
    expect((await rejected(loadCsv(stats, { label: 'digit', columns: ['digit'] }))).code).toBe('invalid-argument');
    expect((await rejected(loadCsv(stats, { scaling: 'log' as never }))).code).toBe('invalid-argument');
    expect((await rejected(loadCsv(join(fixtures, 'missing.csv')))).code).toBe('io-error');
  });
});

describe('loadCsv limits', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vaekit-csv-limits-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const table = (columns: number, rows: number): string =>
    [Array.from({ length: columns }, (_, j) => `c${j}`).join(','), ...Array.from({ length: rows }, (_, i) => Array(columns).fill(i).join(','))].join('\n');

  it('refuses a file over 256 MiB before reading it', async () => {
    // A sparse file: no disk space, and the loader must not read it (it would take seconds and GBs).
    const huge = join(dir, 'huge.csv');
    const handle = await open(huge, 'w');
    await handle.truncate(256 * 2 ** 20 + 1);
    await handle.close();
    const e = await rejected(loadCsv(huge));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toBe(
      `${huge}: 268435457 bytes (256.0 MiB); vaekit reads CSV files of at most 268435456 bytes (256 MiB): use fewer rows, or IDX / PNG files for images`,
    );
  });

  it('reads 65 536 columns and refuses more as soon as the header is parsed', async () => {
    const widest = join(dir, 'widest.csv');
    await writeFile(widest, table(65_536, 10));
    expect((await loadCsv(widest, { testFraction: 0 })).shape).toEqual([65_536]);
    const wider = join(dir, 'wider.csv');
    // The unclosed quote after the header would fail the parse: the header is refused first.
    await writeFile(wider, `${table(65_537, 2)}\n1,"unclosed`);
    const e = await rejected(loadCsv(wider));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toBe(`${wider}: the header (line 1) has 65537 columns; vaekit reads at most 65536`);
  });

  it('refuses a record of more than 8 MiB characters (a quote left open swallows the file)', async () => {
    const openQuote = join(dir, 'open-quote.csv');
    await writeFile(openQuote, `a,b\n1,"${'2,'.repeat(4.5 * 2 ** 20)}\n3,4\n`);
    const e = await rejected(loadCsv(openQuote));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toContain(`${openQuote}: line 2 holds a record of more than 8388608 characters`);
  });

  it('parses the bytes as UTF-8: a BOM is dropped, non-ASCII class names are kept', async () => {
    const utf8 = join(dir, 'utf8.csv');
    await writeFile(utf8, Buffer.from('\uFEFFx,y,kind\n1,2,café\n3,4,naïve\n5,6,café\n', 'utf8'));
    const data = await loadCsv(utf8, { label: 'kind', testFraction: 0 });
    expect(data.columns).toEqual(['x', 'y']);
    expect(data.classes).toEqual(['café', 'naïve']);
    expect([...data.train.labels!]).toEqual([0, 1, 0]);
  });

  it('names a duplicated header column', async () => {
    const twice = join(dir, 'twice.csv');
    await writeFile(twice, 'a,b,a\n1,2,3\n');
    expect((await rejected(loadCsv(twice))).message).toBe(`${twice}: header names column "a" twice`);
  });
});
