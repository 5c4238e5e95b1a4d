import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { VaekitError } from '../../errors.js';
import type { DataSplit, Dataset } from './dataset.js';
import { DATASET_LIMIT_HINT, MAX_DATASET_VALUES, MAX_IMAGE_SIDE, describeValues, formatBytes } from './limits.js';

/**
 * IDX files, the format of MNIST and its relatives (Fashion-MNIST, KMNIST, EMNIST): a big-endian
 * header (magic, then one uint32 per dimension) followed by the values, row-major. vaekit reads the
 * two kinds these data sets use: uint8 images [n, rows, cols] and uint8 labels [n].
 */

/** Magic number of uint8 images [n, rows, cols]. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of uint8 labels [n]. */
export const IDX_LABELS_MAGIC = 0x00000801;

export type IdxKind = 'images' | 'labels';

const MAGIC: Record<IdxKind, number> = { images: IDX_IMAGES_MAGIC, labels: IDX_LABELS_MAGIC };
const MAGIC_TEXT: Record<IdxKind, string> = {
  images: `0x00000803 (uint8 images [n, rows, cols])`,
  labels: `0x00000801 (uint8 labels [n])`,
};
const HEADER_BYTES: Record<IdxKind, number> = { images: 16, labels: 8 };
const GZIP_MAGIC = [0x1f, 0x8b] as const;
const CHUNK_BYTES = 1 << 16;

/** What the header of an IDX file says. */
export interface IdxHeader {
  kind: IdxKind;
  /** Number of images or labels. */
  count: number;
  /** Image height (1 for labels). */
  rows: number;
  /** Image width (1 for labels). */
  cols: number;
  /** Bytes of the header (16 for images, 8 for labels). */
  headerBytes: number;
  /** Bytes of data the header announces: count × rows × cols. */
  dataBytes: number;
  /** Whether the file is gzip-compressed (told by its first two bytes 1f 8b, not by its name). */
  gzip: boolean;
}

/** Uint8 images of an IDX file, scaled to [0, 1]. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols values in [0, 1], row-major. */
  pixels: Float32Array;
}

/** byte → byte / 255, correctly rounded to float32. */
const UNIT_SCALE = Float32Array.from({ length: 256 }, (_, b) => b / 255);

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

function describeMagic(magic: number): string {
  if (magic === IDX_IMAGES_MAGIC) return `${hex32(magic)} (uint8 images — is this the images file where labels were expected?)`;
  if (magic === IDX_LABELS_MAGIC) return `${hex32(magic)} (uint8 labels — is this the labels file where images were expected?)`;
  return hex32(magic);
}

function invalid(path: string, message: string, cause?: unknown): VaekitError {
  return new VaekitError('invalid-data', `${path}: ${message}`, cause === undefined ? undefined : { cause });
}

function fileError(path: string, error: unknown): Error {
  if (error instanceof VaekitError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return invalid(path, 'file not found', error);
  if (code === 'EISDIR') return invalid(path, 'is a folder; expected an IDX file', error);
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return invalid(path, `starts like a gzip file (1f 8b) but is not a valid or complete gzip stream (${(error as Error).message})`, error);
  }
  if (typeof code === 'string') return new VaekitError('io-error', `${path}: cannot read (${(error as Error).message})`, { cause: error });
  return error as Error;
}

function parseHeader(path: string, expected: IdxKind, bytes: Buffer, gzip: boolean): IdxHeader {
  const magic = bytes.readUInt32BE(0);
  if (magic !== MAGIC[expected]) {
    throw invalid(path, `not an IDX ${expected} file: expected magic ${MAGIC_TEXT[expected]}, found ${describeMagic(magic)}`);
  }
  const count = bytes.readUInt32BE(4);
  const rows = expected === 'images' ? bytes.readUInt32BE(8) : 1;
  const cols = expected === 'images' ? bytes.readUInt32BE(12) : 1;
  if (rows === 0 || cols === 0) throw invalid(path, `expected images of at least 1 × 1 pixels, found ${rows} × ${cols}`);
  const header: IdxHeader = { kind: expected, count, rows, cols, headerBytes: HEADER_BYTES[expected], dataBytes: count * rows * cols, gzip };
  checkLimits(path, header);
  return header;
}

/** Refuses, from the header alone, a file whose data would not fit vaekit's limits (see limits.ts). */
function checkLimits(path: string, header: IdxHeader): void {
  if (header.rows > MAX_IMAGE_SIDE || header.cols > MAX_IMAGE_SIDE) {
    throw invalid(
      path,
      `the header announces images of ${header.rows} × ${header.cols} pixels; vaekit takes images of at most ${MAX_IMAGE_SIDE} pixels on a side (downscale them)`,
    );
  }
  if (header.dataBytes > MAX_DATASET_VALUES) {
    const size = header.kind === 'images' ? `: ${describeValues(header.dataBytes)}` : ', more than a data set may hold images';
    const inflated = header.gzip ? `, ${formatBytes(header.dataBytes)} once inflated` : '';
    throw invalid(path, `the header announces ${describeContent(header)}${size}${inflated}; ${DATASET_LIMIT_HINT}`);
  }
}

function describeContent(header: IdxHeader): string {
  return header.kind === 'images'
    ? `${header.count} images of ${header.rows} × ${header.cols}`
    : `${header.count} labels`;
}

/** Receives the data bytes after the header, in order; `offset` counts data bytes. */
type Sink = (bytes: Uint8Array, offset: number) => void;

/**
 * Streams one IDX file (gzipped or not) from disk: parses the header, calls `makeSink(header)`
 * and feeds it the data in chunks, checking the data is exactly as long as the header says.
 * Without `makeSink`, stops after the header.
 */
async function streamIdx(path: string, expected: IdxKind, makeSink?: (header: IdxHeader) => Sink): Promise<IdxHeader> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  let raw: Readable | undefined;
  let source: Readable | undefined;
  try {
    const probe = Buffer.alloc(2);
    const { bytesRead } = await handle.read(probe, 0, 2, 0);
    const gzip = bytesRead === 2 && probe[0] === GZIP_MAGIC[0] && probe[1] === GZIP_MAGIC[1];
    const fileBytes = (await handle.stat()).size;
    raw = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES }); // closes the handle when done
    if (gzip) {
      const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
      raw.on('error', (error) => gunzip.destroy(error));
      source = raw.pipe(gunzip);
    } else {
      source = raw;
    }

    const headerBytes = HEADER_BYTES[expected];
    const head = Buffer.alloc(headerBytes);
    let headFilled = 0;
    let header: IdxHeader | undefined;
    let sink: Sink | undefined;
    let received = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let start = 0;
      if (header === undefined) {
        const take = Math.min(headerBytes - headFilled, chunk.length);
        chunk.copy(head, headFilled, 0, take);
        headFilled += take;
        start = take;
        // The magic alone tells a wrong file; check it as soon as it is in.
        if (headFilled >= 4 && head.readUInt32BE(0) !== MAGIC[expected]) parseHeader(path, expected, head, gzip);
        if (headFilled < headerBytes) continue;
        header = parseHeader(path, expected, head, gzip);
        if (makeSink === undefined) return header;
        if (!gzip && fileBytes - headerBytes !== header.dataBytes) {
          // Uncompressed: the file size tells a truncated file before anything is allocated.
          throw invalid(
            path,
            `${fileBytes - headerBytes < header.dataBytes ? 'truncated' : 'too long'}: the header announces ${describeContent(header)}, so expected ${header.dataBytes} bytes of data after the ${headerBytes}-byte header, found ${fileBytes - headerBytes}`,
          );
        }
        try {
          sink = makeSink(header);
        } catch (error) {
          if (error instanceof RangeError) {
            throw invalid(path, `the header announces ${describeContent(header)}, too many to hold in memory`, error);
          }
          throw error;
        }
      }
      const n = chunk.length - start;
      // The header caps the inflation: a stream longer than announced is refused within one
      // chunk (64 KiB) of the announced end, however much more it would inflate to.
      if (received + n > header.dataBytes) {
        throw invalid(
          path,
          `too long: the header announces ${describeContent(header)}, so expected ${header.dataBytes} bytes of data after the ${headerBytes}-byte header, found more (at least ${received + n})`,
        );
      }
      if (n > 0) sink!(chunk.subarray(start), received);
      received += n;
    }
    if (header === undefined) {
      throw invalid(
        path,
        `truncated: expected a ${headerBytes}-byte IDX header starting with magic ${MAGIC_TEXT[expected]}, found ${headFilled} bytes${gzip ? ' after decompression' : ''}`,
      );
    }
    if (received !== header.dataBytes) {
      throw invalid(
        path,
        `truncated: the header announces ${describeContent(header)}, so expected ${header.dataBytes} bytes of data after the ${headerBytes}-byte header, found ${received}${gzip ? ' after decompression' : ''}`,
      );
    }
    return header;
  } catch (error) {
    throw fileError(path, error);
  } finally {
    source?.destroy();
    raw?.destroy();
    if (raw === undefined) await handle.close();
  }
}

/**
 * Reads only the header of an IDX file (gzipped or not).
 *
 * @throws VaekitError `invalid-data` when the file is missing, is not an IDX file of `kind`, its
 * header is cut short, or it announces images over {@link MAX_IMAGE_SIDE} pixels on a side or more
 * than {@link MAX_DATASET_VALUES} values.
 */
export function readIdxHeader(path: string, kind: IdxKind): Promise<IdxHeader> {
  return streamIdx(path, kind);
}

/**
 * Reads an IDX uint8 images file (magic 0x00000803), gzipped or not, streaming it from disk straight
 * into the returned Float32Array: pixels scaled to [0, 1].
 *
 * @throws VaekitError `invalid-data` when the file is missing, has another magic, announces more
 * than the limits allow (checked before anything is allocated or inflated), or holds fewer or more
 * bytes than its header announces (a gzip stream is inflated no further than that).
 */
export async function readIdxImages(path: string): Promise<IdxImages> {
  let pixels: Float32Array | undefined;
  const header = await streamIdx(path, 'images', (h) => {
    const out = new Float32Array(h.dataBytes);
    pixels = out;
    return (bytes, offset) => {
      for (let i = 0; i < bytes.length; i++) out[offset + i] = UNIT_SCALE[bytes[i]!]!;
    };
  });
  return { count: header.count, rows: header.rows, cols: header.cols, pixels: pixels! };
}

/**
 * Reads an IDX uint8 labels file (magic 0x00000801), gzipped or not.
 *
 * @throws VaekitError `invalid-data` as {@link readIdxImages}.
 */
export async function readIdxLabels(path: string): Promise<Int32Array> {
  let labels: Int32Array | undefined;
  await streamIdx(path, 'labels', (h) => {
    const out = new Int32Array(h.dataBytes);
    labels = out;
    return (bytes, offset) => out.set(bytes, offset);
  });
  return labels!;
}

export interface IdxDatasetOptions {
  /** IDX images file of the training split (`.gz` or not: told by the content). */
  trainImages: string;
  /** IDX labels file of the training split; without it the data set is unlabelled. */
  trainLabels?: string;
  testImages: string;
  /** IDX labels file of the test split; give both label files or neither. */
  testLabels?: string;
  /** Short name recorded in the run, e.g. `fashion-mnist`. */
  name: string;
  /** Class names, index = label; every label must be below its length. Default `'0'…'<max label>'`. */
  classes?: string[];
  /** Where the data came from, for the run's record; default lists the files. */
  source?: string;
}

/**
 * Loads a data set from IDX files (the MNIST family format), gzipped or not. Images become
 * [rows, cols, 1] with pixels in [0, 1]; each file is streamed from disk straight into the output
 * arrays, so loading needs little more memory than the result. All headers are checked (kinds,
 * image/label counts, train/test image sizes) before any data is read.
 *
 * @example
 * ```ts
 * const data = await loadIdxDataset({
 *   name: 'kmnist',
 *   trainImages: 'kmnist/train-images-idx3-ubyte.gz', trainLabels: 'kmnist/train-labels-idx1-ubyte.gz',
 *   testImages: 'kmnist/t10k-images-idx3-ubyte.gz', testLabels: 'kmnist/t10k-labels-idx1-ubyte.gz',
 * });
 * ```
 *
 * @throws VaekitError `invalid-argument` when only one of the label files is given, or `classes`
 * without labels; `invalid-data` (naming the file) when a file is missing, has the wrong magic, is
 * truncated, has a label count other than its image count, a label outside `classes`, when train
 * and test images differ in size, or when their headers announce more than
 * {@link MAX_DATASET_VALUES} values together.
 */
export async function loadIdxDataset(options: IdxDatasetOptions): Promise<Dataset> {
  const { trainImages, trainLabels, testImages, testLabels, name, classes } = options;
  if ((trainLabels === undefined) !== (testLabels === undefined)) {
    throw new VaekitError(
      'invalid-argument',
      `loadIdxDataset: give both trainLabels and testLabels or neither; found only ${trainLabels === undefined ? 'testLabels' : 'trainLabels'}`,
    );
  }
  const labelled = trainLabels !== undefined && testLabels !== undefined;
  if (classes !== undefined && !labelled) {
    throw new VaekitError('invalid-argument', 'loadIdxDataset: classes given without label files');
  }

  // Headers first: a mismatch is reported before megabytes are decompressed.
  const trainHeader = await readIdxHeader(trainImages, 'images');
  const testHeader = await readIdxHeader(testImages, 'images');
  if (trainHeader.rows !== testHeader.rows || trainHeader.cols !== testHeader.cols) {
    throw new VaekitError(
      'invalid-data',
      `train and test images differ in size: ${trainImages} holds ${trainHeader.rows} × ${trainHeader.cols} images, ${testImages} holds ${testHeader.rows} × ${testHeader.cols}`,
    );
  }
  for (const [images, header] of [[trainImages, trainHeader], [testImages, testHeader]] as const) {
    if (header.count === 0) throw invalid(images, 'expected at least one image, found 0');
  }
  // Each file is within the limit (readIdxHeader); the two splits together must be too.
  if (trainHeader.dataBytes + testHeader.dataBytes > MAX_DATASET_VALUES) {
    throw new VaekitError(
      'invalid-data',
      `${trainImages} and ${testImages}: their headers announce ${describeContent(trainHeader)} and ${describeContent(testHeader)}, ` +
        `together ${describeValues(trainHeader.dataBytes + testHeader.dataBytes)}; ${DATASET_LIMIT_HINT}`,
    );
  }
  if (labelled) {
    for (const [labels, images, header] of [[trainLabels, trainImages, trainHeader], [testLabels, testImages, testHeader]] as const) {
      const labelHeader = await readIdxHeader(labels, 'labels');
      if (labelHeader.count !== header.count) {
        throw invalid(labels, `expected ${header.count} labels, one per image of ${images}; found ${labelHeader.count}`);
      }
    }
  }

  const readSplit = async (imagesPath: string, labelsPath: string | undefined): Promise<DataSplit> => {
    const images = await readIdxImages(imagesPath);
    const labels = labelsPath === undefined ? null : await readIdxLabels(labelsPath);
    if (images.rows !== trainHeader.rows || images.cols !== trainHeader.cols || (labels && labels.length !== images.count)) {
      throw invalid(imagesPath, 'changed while it was being read');
    }
    return { x: images.pixels, labels, count: images.count };
  };
  const train = await readSplit(trainImages, trainLabels);
  const test = await readSplit(testImages, testLabels);

  let classNames: string[] | null = null;
  if (labelled) {
    let maxLabel = 0;
    for (const [split, path] of [[train, trainLabels], [test, testLabels]] as const) {
      const labels = split.labels!;
      for (let i = 0; i < labels.length; i++) {
        const label = labels[i]!;
        if (classes !== undefined && label >= classes.length) {
          throw invalid(path, `label ${label} at index ${i}, expected labels 0…${classes.length - 1} (${classes.length} classes)`);
        }
        if (label > maxLabel) maxLabel = label;
      }
    }
    classNames = classes !== undefined ? [...classes] : Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  }

  return {
    name,
    shape: [trainHeader.rows, trainHeader.cols, 1],
    layout: 'hwc',
    valueRange: [0, 1],
    classes: classNames,
    train,
    test,
    source:
      options.source ??
      `IDX files: train ${trainImages}${trainLabels ? ` + ${trainLabels}` : ''}, test ${testImages}${testLabels ? ` + ${testLabels}` : ''}`,
  };
}
