import { DEFAULT_SEED } from '../../sampler/index.js';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { VaekitError, describeValue } from '../../errors.js';
import { MAX_CSV_BYTES, formatBytes } from './limits.js';
import {
  type CsvRow,
  type ParsedRecord,
  checkHeader,
  checkWidth,
  classOrder,
  columnIndex,
  countNumericCells,
  csvParseError,
  csvParseOptions,
  defaultFeatureColumns,
  labelName,
  namedFeatureColumns,
  readFeatures,
  toRow,
} from './csv-table.js';
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

  let records: ParsedRecord[];
  try {
    records = parse(bytes, csvParseOptions(path)) as unknown as ParsedRecord[];
  } catch (cause) {
    throw csvParseError(path, cause);
  }
  if (records.length === 0) throw new VaekitError('invalid-data', `${path}: empty file; a header row and data rows are required`);

  const header = checkHeader(path, records[0]!.record);
  const rows: CsvRow[] = records.slice(1).map(toRow);
  if (rows.length === 0) throw new VaekitError('invalid-data', `${path}: no data rows after the header`);
  for (const r of rows) checkWidth(path, header, r);

  const labelIndex = options.label === undefined ? -1 : columnIndex(path, header, options.label, "'label'");
  let featureIndex: number[];
  if (options.columns !== undefined) {
    featureIndex = namedFeatureColumns(path, header, options.columns, labelIndex, options.label);
  } else {
    const numeric = new Float64Array(header.length);
    for (const r of rows) countNumericCells(r, numeric);
    featureIndex = defaultFeatureColumns(path, header, labelIndex, numeric, rows.length);
  }
  const columns = featureIndex.map((j) => header[j]!);

  const features = featureIndex.length;
  const x = new Float32Array(rows.length * features);
  rows.forEach((r, i) => readFeatures(path, header, r, featureIndex, x, i * features));

  let classes: string[] | null = null;
  let labels: Int32Array | null = null;
  if (labelIndex >= 0) {
    const names = rows.map((r) => labelName(path, header, r, labelIndex));
    const order = classOrder(names);
    classes = order.classes;
    labels = Int32Array.from(names, (n) => order.indexOf(n)!);
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
