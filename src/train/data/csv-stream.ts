/**
 * A CSV table read as a stream of records with csv-parse's streaming API: memory holds one read
 * buffer and the records not yet taken, whatever the file's size (no MAX_CSV_BYTES limit here;
 * MAX_CSV_COLUMNS and MAX_CSV_RECORD_CHARS still hold). The rules are csv-table.ts's.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'csv-parse';
import { VaekitError } from '../../errors.js';
import { type CsvRow, type ParsedRecord, checkHeader, checkWidth, csvParseError, csvParseOptions, toRow } from './csv-table.js';

/** A CSV file opened for streaming: its checked header, then its data records in file order. */
export interface CsvStream {
  /** The resolved path, for messages. */
  path: string;
  header: string[];
  /** Data records (header excluded), each checked to be as wide as the header. Iterate once. */
  rows: AsyncIterable<CsvRow>;
  /** Stops reading (for a caller that leaves before the end of `rows`). */
  close(): void;
}

/**
 * Opens `file` and parses its header row.
 *
 * @example
 * ```ts
 * const table = await openCsvStream('sensors.csv');
 * for await (const row of table.rows) console.log(row.row, row.cells);
 * ```
 *
 * @throws VaekitError `io-error` when the file cannot be read; `invalid-data` naming the file
 * when it is empty, not valid CSV, or its header is not one of column names.
 */
export async function openCsvStream(file: string): Promise<CsvStream> {
  const path = resolve(file);
  try {
    if (!(await stat(path)).isFile()) throw new VaekitError('invalid-argument', `CSV file ${path} is not a file`);
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    throw new VaekitError('io-error', `CSV file ${path} cannot be read: ${(cause as Error).message}`, { cause });
  }
  const input = createReadStream(path, { highWaterMark: 1 << 16 });
  const parser = parse(csvParseOptions(path));
  input.on('error', (cause) => parser.destroy(new VaekitError('io-error', `CSV file ${path} cannot be read: ${cause.message}`, { cause })));
  input.pipe(parser);
  const records = (parser as AsyncIterable<ParsedRecord>)[Symbol.asyncIterator]();
  const close = (): void => {
    input.destroy();
    parser.destroy();
  };
  const next = async (): Promise<IteratorResult<ParsedRecord>> => {
    try {
      return await records.next();
    } catch (cause) {
      close();
      throw csvParseError(path, cause);
    }
  };
  const first = await next();
  if (first.done) throw new VaekitError('invalid-data', `${path}: empty file; a header row and data rows are required`);
  let header: string[];
  try {
    header = checkHeader(path, first.value.record);
  } catch (error) {
    close();
    throw error;
  }
  async function* rows(): AsyncGenerator<CsvRow> {
    try {
      let seen = 0;
      for (let r = await next(); !r.done; r = await next()) {
        const row = toRow(r.value);
        checkWidth(path, header, row);
        seen++;
        yield row;
      }
      if (seen === 0) throw new VaekitError('invalid-data', `${path}: no data rows after the header`);
    } finally {
      close();
    }
  }
  return { path, header, rows: rows(), close };
}
