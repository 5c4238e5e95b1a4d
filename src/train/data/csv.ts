import { DEFAULT_SEED } from '../../sampler/index.js';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { VaekitError, describeValue } from '../../errors.js';
import { MAX_CSV_BYTES, MAX_CSV_COLUMNS, MAX_CSV_RECORD_CHARS, formatBytes } from './limits.js';
import {
  DATA_SPLIT_STREAM,
  type ScaledDataset,
  type ScalingKind,
  applyScaling,
  checkTestFraction,
  fitScaling,
  seededTestMask,
  splitRows,
  valueExtent,
} from './scaling.js';

export type { ScaledDataset, ScalingKind } from './scaling.js';

export interface CsvOptions {
  /** Feature columns, in this order; default every numeric column except the label (see loadCsv). */
  columns?: string[];
  /** Column of class names (strings or integers); default none (unlabelled). */
  label?: string;
  /** `min-max` (default, to [0, 1]), `standardize` (zero mean, unit variance) or `none`. */
  scaling?: ScalingKind;
  /** Fraction of the rows (per class when labelled) held out as the test split; default 0.1. */
  testFraction?: number;
  /** Seed of the train/test split (sampler stream STREAMS.dataSplit); default DEFAULT_SEED (0). */
  splitSeed?: number;
}

/** A decimal number, optionally signed, with optional fraction and exponent (no hex, no Infinity/NaN). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(text: string): number | null {
  const t = text.trim();
  if (!NUMBER.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

const INTEGER = /^[+-]?\d+$/;

interface Row {
  cells: string[];
  /** Record number in the file, header = 1. */
  row: number;
  /** Line the record ends on (differs from `row` after blank lines or quoted line breaks). */
  line: number;
}

function where(file: string, r: Row): string {
  return r.line === r.row ? `${file} row ${r.row}` : `${file} row ${r.row} (line ${r.line})`;
}

/**
 * A CSV file (header row required, RFC 4180 quoting) as a table data set: layout `features`,
 * shape [columns.length], plus the fitted `scaling` and the `columns` used, so inference can scale
 * new rows the same way.
 *
 * - Default columns: every column except the label whose cells parse as numbers in more than half
 *   of the data rows (text columns such as ids are left out). Every cell of a chosen column must
 *   be a finite number: an empty or non-numeric cell is an `invalid-data` error naming the row
 *   (header = row 1), the column and the text found, so NaN never reaches training.
 * - A row with a different number of fields than the header is an error naming both counts.
 * - Label column: class names are the distinct values, sorted numerically when all are integers
 *   and by code point otherwise; labels are indices into `classes`.
 * - Split: per class, round(count · testFraction) rows go to the test split, chosen by the shared
 *   sampler's uniforms at (seed, stream DATA_SPLIT_STREAM = 6, offset = data row index): the same
 *   split every run.
 * - Scaling is fitted on the train split only and applied to both. Min-max maps train values to
 *   [0, 1] (test values clipped to it), valueRange [0, 1]; standardize uses the train mean and
 *   population std; a constant column gets max = min + 1 / std = 1 (no division by zero: it
 *   becomes 0 on train). For `standardize` and `none` valueRange is the train split's extent.
 *
 * @example
 * ```ts
 * const data = await loadCsv('iris.csv', { label: 'species', scaling: 'standardize' });
 * console.log(data.columns, data.classes, data.scaling);
 * ```
 */
export async function loadCsv(file: string, options: CsvOptions = {}): Promise<ScaledDataset> {
  const testFraction = checkTestFraction(options.testFraction ?? 0.1);
  const seed = options.splitSeed ?? DEFAULT_SEED;
  const scalingKind = options.scaling ?? 'min-max';
  if (scalingKind !== 'min-max' && scalingKind !== 'standardize' && scalingKind !== 'none') {
    throw new VaekitError('invalid-argument', `'scaling' must be 'min-max', 'standardize' or 'none'; found ${describeValue(scalingKind)}`);
  }
  const path = resolve(file);
  let bytes: Buffer;
  try {
    // The whole table is parsed in memory (about 12 × the file): refuse a huge file before reading it.
    const { size } = await stat(path);
    if (size > MAX_CSV_BYTES) {
      throw new VaekitError(
        'invalid-data',
        `${path}: ${size} bytes (${formatBytes(size)}); vaekit reads CSV files of at most ${MAX_CSV_BYTES} bytes (${formatBytes(MAX_CSV_BYTES)}): ` +
          'use fewer rows, or IDX / PNG files for images',
      );
    }
    // Bytes, not a string: csv-parse works on a Buffer and would re-encode a string into one.
    bytes = await readFile(path);
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    throw new VaekitError('io-error', `CSV file ${path} cannot be read: ${(cause as Error).message}`, { cause });
  }

  let records: { record: string[]; info: { lines: number; records: number } }[];
  let headerSeen = false;
  try {
    // With `info: true` each record comes as { record, info } (csv-parse's types do not narrow on it).
    records = parse(bytes, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      // One gigantic line stops the parser within MAX_CSV_RECORD_CHARS.
      max_record_size: MAX_CSV_RECORD_CHARS,
      on_record: (value, context) => {
        // The header's width is checked as soon as it is parsed, not after the whole file.
        // (With `info: true` the value is { record, info }, whatever csv-parse's types say.)
        const width = (value as unknown as { record: string[] }).record.length;
        if (!headerSeen && width > MAX_CSV_COLUMNS) {
          throw new VaekitError('invalid-data', `${path}: the header (line ${context.lines}) has ${width} columns; vaekit reads at most ${MAX_CSV_COLUMNS}`);
        }
        headerSeen = true;
        return value;
      },
    }) as unknown as typeof records;
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    if (cause instanceof CsvError && cause.code === 'CSV_MAX_RECORD_SIZE') {
      throw new VaekitError(
        'invalid-data',
        `${path}: line ${(cause as CsvError & { lines?: number }).lines ?? '?'} holds a record of more than ${MAX_CSV_RECORD_CHARS} characters; vaekit reads records (rows) of at most that (is a quote left open?)`,
        { cause },
      );
    }
    const detail = cause instanceof CsvError ? cause.message : String(cause);
    throw new VaekitError('invalid-data', `${path}: not valid CSV (${detail})`, { cause });
  }
  if (records.length === 0) throw new VaekitError('invalid-data', `${path}: empty file; a header row and data rows are required`);

  const header = records[0]!.record.map((h) => h.trim());
  const rows: Row[] = records.slice(1).map((r) => ({ cells: r.record, row: r.info.records, line: r.info.lines }));
  if (header.every((h) => parseNumber(h) !== null)) {
    throw new VaekitError('invalid-data', `${path}: row 1 must be a header of column names; found only numbers (${header.slice(0, 5).join(', ')}…)`);
  }
  const seen = new Set<string>(); // not indexOf: quadratic in the column count
  header.forEach((h, j) => {
    if (h === '') throw new VaekitError('invalid-data', `${path}: header column ${j + 1} has no name`);
    if (seen.has(h)) throw new VaekitError('invalid-data', `${path}: header names column ${JSON.stringify(h)} twice`);
    seen.add(h);
  });
  if (rows.length === 0) throw new VaekitError('invalid-data', `${path}: no data rows after the header`);
  for (const r of rows) {
    if (r.cells.length !== header.length) {
      throw new VaekitError(
        'invalid-data',
        `${where(path, r)} has ${r.cells.length} field(s) but the header has ${header.length}`,
      );
    }
  }

  const columnIndex = (name: string, what: string): number => {
    const j = header.indexOf(name);
    if (j < 0) {
      throw new VaekitError('invalid-argument', `${what} ${JSON.stringify(name)} is not a column of ${path}; columns: ${header.join(', ')}`);
    }
    return j;
  };
  const labelIndex = options.label === undefined ? -1 : columnIndex(options.label, "'label'");

  let featureIndex: number[];
  if (options.columns !== undefined) {
    if (!Array.isArray(options.columns) || options.columns.length === 0) {
      throw new VaekitError('invalid-argument', `'columns' must be a non-empty array of column names; found ${describeValue(options.columns)}`);
    }
    featureIndex = options.columns.map((c) => columnIndex(c, 'column'));
    if (new Set(featureIndex).size !== featureIndex.length) throw new VaekitError('invalid-argument', `'columns' names a column twice`);
    if (featureIndex.includes(labelIndex)) {
      throw new VaekitError('invalid-argument', `the label column ${JSON.stringify(options.label)} cannot also be a feature column`);
    }
  } else {
    featureIndex = header
      .map((_, j) => j)
      .filter((j) => j !== labelIndex && rows.filter((r) => parseNumber(r.cells[j]!) !== null).length * 2 > rows.length);
    if (featureIndex.length === 0) throw new VaekitError('invalid-data', `${path}: no numeric column${labelIndex >= 0 ? ' besides the label' : ''}`);
  }
  const columns = featureIndex.map((j) => header[j]!);

  const features = featureIndex.length;
  const x = new Float32Array(rows.length * features);
  rows.forEach((r, i) => {
    featureIndex.forEach((j, k) => {
      const cell = r.cells[j]!;
      const v = parseNumber(cell);
      if (v === null) {
        const found = cell.trim() === '' ? 'an empty cell' : JSON.stringify(cell);
        throw new VaekitError('invalid-data', `${where(path, r)}, column ${JSON.stringify(header[j])}: expected a number, found ${found}`);
      }
      x[i * features + k] = v;
    });
  });
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k])) {
      const r = rows[Math.floor(k / features)]!;
      throw new VaekitError('invalid-data', `${where(path, r)}, column ${JSON.stringify(columns[k % features])}: value overflows float32`);
    }
  }

  let classes: string[] | null = null;
  let labels: Int32Array | null = null;
  if (labelIndex >= 0) {
    const names = rows.map((r) => {
      const name = r.cells[labelIndex]!.trim();
      if (name === '') throw new VaekitError('invalid-data', `${where(path, r)}, label column ${JSON.stringify(header[labelIndex])}: empty cell`);
      return name;
    });
    const distinct = [...new Set(names)];
    if (distinct.every((n) => INTEGER.test(n))) {
      // Integer classes: numeric order, one name per value ('01' and '1' are the same class).
      const values = [...new Set(distinct.map((n) => Number(n)))].sort((a, b) => a - b);
      classes = values.map(String);
      const index = new Map(values.map((v, i) => [v, i]));
      labels = Int32Array.from(names, (n) => index.get(Number(n))!);
    } else {
      classes = distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const index = new Map(classes.map((c, i) => [c, i]));
      labels = Int32Array.from(names, (n) => index.get(n)!);
    }
  }

  const { train, test } = splitRows(x, labels, features, seededTestMask(rows.length, labels, testFraction, seed));
  const scaling = fitScaling(train, features, scalingKind);
  applyScaling(train, features, scaling);
  applyScaling(test, features, scaling);
  return {
    name: basename(path).replace(/\.csv$/i, ''),
    shape: [features],
    layout: 'features',
    valueRange: scalingKind === 'min-max' ? [0, 1] : valueExtent(train.x),
    classes,
    train,
    test,
    source:
      `CSV file ${path} (${rows.length} rows, columns ${columns.join(', ')}${labelIndex >= 0 ? `, label ${header[labelIndex]}` : ''}; ` +
      `scaling ${scalingKind} fitted on train; test = seeded ${testFraction}${labels ? ' per class' : ''}, seed ${seed}, stream ${DATA_SPLIT_STREAM})`,
    scaling,
    columns,
  };
}
