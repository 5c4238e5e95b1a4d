/**
 * The rules of a vaekit CSV table, shared by the loader that reads a whole file (csv.ts) and the
 * reader that streams one in chunks (csv-stream.ts): csv-parse's settings and errors, the header
 * checks, which columns are features, how a cell becomes a number and a label a class index.
 */
import { CsvError, type Options as CsvParseOptions } from 'csv-parse';
import { VaekitError, describeValue } from '../../errors.js';
import { MAX_CSV_COLUMNS, MAX_CSV_RECORD_CHARS } from './limits.js';

/** A decimal number, optionally signed, with optional fraction and exponent (no hex, no Infinity/NaN). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (!NUMBER.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

const INTEGER = /^[+-]?\d+$/;

/** One data record of a CSV file. */
export interface CsvRow {
  cells: string[];
  /** Record number in the file, header = 1. */
  row: number;
  /** Line the record ends on (differs from `row` after blank lines or quoted line breaks). */
  line: number;
}

export function where(file: string, r: CsvRow): string {
  return r.line === r.row ? `${file} row ${r.row}` : `${file} row ${r.row} (line ${r.line})`;
}

/**
 * csv-parse's settings for vaekit tables: records come as { record, info }, the header's width is
 * checked as soon as it is parsed, and one gigantic record stops the parser.
 */
export function csvParseOptions(path: string): CsvParseOptions {
  let headerSeen = false;
  return {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_CSV_RECORD_CHARS,
    on_record: (value, context) => {
      // With `info: true` the value is { record, info }, whatever csv-parse's types say.
      const width = (value as unknown as { record: string[] }).record.length;
      if (!headerSeen && width > MAX_CSV_COLUMNS) {
        throw new VaekitError('invalid-data', `${path}: the header (line ${context.lines}) has ${width} columns; vaekit reads at most ${MAX_CSV_COLUMNS}`);
      }
      headerSeen = true;
      return value;
    },
  };
}

/** A record as csv-parse gives it with `info: true`. */
export interface ParsedRecord {
  record: string[];
  info: { lines: number; records: number };
}

export function toRow(r: ParsedRecord): CsvRow {
  return { cells: r.record, row: r.info.records, line: r.info.lines };
}

/** csv-parse's errors as `invalid-data` naming the file (VaekitErrors pass through). */
export function csvParseError(path: string, cause: unknown): Error {
  if (cause instanceof VaekitError) return cause;
  if (cause instanceof CsvError && cause.code === 'CSV_MAX_RECORD_SIZE') {
    return new VaekitError(
      'invalid-data',
      `${path}: line ${(cause as CsvError & { lines?: number }).lines ?? '?'} holds a record of more than ${MAX_CSV_RECORD_CHARS} characters; vaekit reads records (rows) of at most that (is a quote left open?)`,
      { cause },
    );
  }
  const detail = cause instanceof CsvError ? cause.message : String(cause);
  return new VaekitError('invalid-data', `${path}: not valid CSV (${detail})`, { cause });
}

/** Trims and checks the header record: names, not numbers; none empty; none twice. */
export function checkHeader(path: string, record: string[]): string[] {
  const header = record.map((h) => h.trim());
  if (header.every((h) => parseNumber(h) !== null)) {
    throw new VaekitError('invalid-data', `${path}: row 1 must be a header of column names; found only numbers (${header.slice(0, 5).join(', ')}…)`);
  }
  const seen = new Set<string>(); // not indexOf: quadratic in the column count
  header.forEach((h, j) => {
    if (h === '') throw new VaekitError('invalid-data', `${path}: header column ${j + 1} has no name`);
    if (seen.has(h)) throw new VaekitError('invalid-data', `${path}: header names column ${JSON.stringify(h)} twice`);
    seen.add(h);
  });
  return header;
}

export function checkWidth(path: string, header: readonly string[], r: CsvRow): void {
  if (r.cells.length !== header.length) {
    throw new VaekitError('invalid-data', `${where(path, r)} has ${r.cells.length} field(s) but the header has ${header.length}`);
  }
}

/** Index of column `name` in `header`; `what` names the option in the error. */
export function columnIndex(path: string, header: readonly string[], name: string, what: string): number {
  const j = header.indexOf(name);
  if (j < 0) {
    throw new VaekitError('invalid-argument', `${what} ${JSON.stringify(name)} is not a column of ${path}; columns: ${header.join(', ')}`);
  }
  return j;
}

/** Indices of the feature columns the caller named (`columns` option), checked against the header and the label. */
export function namedFeatureColumns(path: string, header: readonly string[], columns: unknown, labelIndex: number, label?: string): number[] {
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new VaekitError('invalid-argument', `'columns' must be a non-empty array of column names; found ${describeValue(columns)}`);
  }
  const featureIndex = columns.map((c: string) => columnIndex(path, header, c, 'column'));
  if (new Set(featureIndex).size !== featureIndex.length) throw new VaekitError('invalid-argument', `'columns' names a column twice`);
  if (featureIndex.includes(labelIndex)) {
    throw new VaekitError('invalid-argument', `the label column ${JSON.stringify(label)} cannot also be a feature column`);
  }
  return featureIndex;
}

/**
 * The default feature columns: every column but the label whose cells parse as numbers in more
 * than half of the data rows (`numericCounts[j]` of `rows`), so text columns such as ids are left out.
 */
export function defaultFeatureColumns(path: string, header: readonly string[], labelIndex: number, numericCounts: ArrayLike<number>, rows: number): number[] {
  const featureIndex = header.map((_, j) => j).filter((j) => j !== labelIndex && numericCounts[j]! * 2 > rows);
  if (featureIndex.length === 0) throw new VaekitError('invalid-data', `${path}: no numeric column${labelIndex >= 0 ? ' besides the label' : ''}`);
  return featureIndex;
}

/** Adds 1 to `counts[j]` for each cell of `r` that parses as a number. */
export function countNumericCells(r: CsvRow, counts: Float64Array | number[]): void {
  for (let j = 0; j < counts.length; j++) if (parseNumber(r.cells[j] ?? '') !== null) counts[j]! += 1;
}

/**
 * Writes the feature cells of row `r` into `out` at `offset`: every one must be a finite number
 * that fits float32, else an `invalid-data` error naming the row, the column and the text found.
 */
export function readFeatures(path: string, header: readonly string[], r: CsvRow, featureIndex: readonly number[], out: Float32Array, offset: number): void {
  for (let k = 0; k < featureIndex.length; k++) {
    const j = featureIndex[k]!;
    const cell = r.cells[j]!;
    const v = parseNumber(cell);
    if (v === null) {
      const found = cell.trim() === '' ? 'an empty cell' : JSON.stringify(cell);
      throw new VaekitError('invalid-data', `${where(path, r)}, column ${JSON.stringify(header[j])}: expected a number, found ${found}`);
    }
    out[offset + k] = v;
    if (!Number.isFinite(out[offset + k])) {
      throw new VaekitError('invalid-data', `${where(path, r)}, column ${JSON.stringify(header[j])}: value overflows float32`);
    }
  }
}

/** The class name in row `r`'s label cell (trimmed, never empty). */
export function labelName(path: string, header: readonly string[], r: CsvRow, labelIndex: number): string {
  const name = r.cells[labelIndex]!.trim();
  if (name === '') throw new VaekitError('invalid-data', `${where(path, r)}, label column ${JSON.stringify(header[labelIndex])}: empty cell`);
  return name;
}

/**
 * Class names of a label column from its distinct values: sorted numerically when all are
 * integers ('01' and '1' are one class), by code point otherwise; `indexOf(name)` gives a label.
 */
export function classOrder(distinct: Iterable<string>): { classes: string[]; indexOf: (name: string) => number | undefined } {
  const names = [...new Set(distinct)];
  if (names.every((n) => INTEGER.test(n))) {
    const values = [...new Set(names.map((n) => Number(n)))].sort((a, b) => a - b);
    const index = new Map(values.map((v, i) => [v, i]));
    return { classes: values.map(String), indexOf: (n) => index.get(Number(n)) };
  }
  const classes = names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((c, i) => [c, i]));
  return { classes, indexOf: (n) => index.get(n) };
}
