/**
 * Limits the data loaders check from headers and file sizes, before they inflate, decode or
 * allocate anything, so that a hostile or mistaken file (a gzip bomb, a PNG that claims
 * 20 000 × 20 000 pixels, a table of millions of columns) is refused with `invalid-data` instead
 * of exhausting memory. README.md (Training) lists them for users.
 */

/**
 * Most values a data set may hold (train + test, pixels × channels or table cells): 2^30, so its
 * float32 arrays stay within 4 GiB. Fashion-MNIST holds 70 000 × 784 ≈ 55 M.
 */
export const MAX_DATASET_VALUES = 2 ** 30;

/** Widest or tallest image, in pixels (IDX and PNG). */
export const MAX_IMAGE_SIDE = 4096;

/**
 * Bytes a PNG file may hold beyond its uncompressed scanlines: room for metadata chunks (ICC
 * profiles, text) and deflate's overhead on incompressible data.
 */
export const PNG_EXTRA_BYTES = 16 * 2 ** 20;

/**
 * Largest CSV file. The parser holds the whole table as strings, about 12 × the file in memory
 * (a 155 MB Fashion-MNIST CSV peaks at 1.8 GB).
 */
export const MAX_CSV_BYTES = 256 * 2 ** 20;

/** Most columns of a CSV file. */
export const MAX_CSV_COLUMNS = 65_536;

/** Most characters of one CSV record (one line, or several joined by quoted line breaks). */
export const MAX_CSV_RECORD_CHARS = 8 * 2 ** 20;

/** `1073741824` → `1 GiB`, `3136000000` → `2.9 GiB`: byte counts readable in messages. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `n values (x GiB as float32)`, for messages about the dataset limit. */
export function describeValues(values: number): string {
  return `${values} values (${formatBytes(values * 4)} as float32)`;
}

/** The sentence every over-the-limit message ends with: what the limit is and what to do. */
export const DATASET_LIMIT_HINT =
  `vaekit loads the whole data set into memory and refuses more than ${describeValues(MAX_DATASET_VALUES)}; ` +
  'train on a smaller subset of the files';
