import { VaekitError } from '../../errors.js';
import type { DataSplit, Dataset } from './dataset.js';
import { type IdxHeader, type IdxKind, describeContent, invalid, openIdx } from './idx-stream.js';
import { DATASET_LIMIT_HINT, MAX_DATASET_VALUES, describeValues } from './limits.js';

export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, type IdxHeader, type IdxKind } from './idx-stream.js';

/**
 * IDX files, the format of MNIST and its relatives (Fashion-MNIST, KMNIST, EMNIST): a big-endian
 * header (magic, then one uint32 per dimension) followed by the values, row-major. vaekit reads the
 * two kinds these data sets use: uint8 images [n, rows, cols] and uint8 labels [n].
 */

/** Uint8 images of an IDX file, scaled to [0, 1]. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols values in [0, 1], row-major. */
  pixels: Float32Array;
}

/** byte → byte / 255, correctly rounded to float32. */
export const UNIT_SCALE = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/** Receives the data bytes after the header, in order; `offset` counts data bytes. */
type Sink = (bytes: Uint8Array, offset: number) => void;

/**
 * Reads one IDX file: its header, then (with `makeSink`) every data byte into the sink that
 * `makeSink(header)` returns. Without `makeSink`, stops after the header.
 */
async function streamIdx(path: string, expected: IdxKind, makeSink?: (header: IdxHeader) => Sink): Promise<IdxHeader> {
  const { header, data, close } = await openIdx(path, expected);
  if (makeSink === undefined) {
    await close();
    return header;
  }
  let sink: Sink;
  try {
    sink = makeSink(header);
  } catch (error) {
    await close();
    if (error instanceof RangeError) {
      throw invalid(path, `the header announces ${describeContent(header)}, too many to hold in memory`, error);
    }
    throw error;
  }
  let received = 0;
  for await (const bytes of data) {
    sink(bytes, received);
    received += bytes.length;
  }
  return header;
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
