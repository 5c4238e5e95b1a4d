import type { InputScaling } from '../../manifest/schema.js';

/** One split of a data set: `count` examples stored row-major in `x`. */
export interface DataSplit {
  /** count × prod(shape) values, row-major (images NHWC). */
  x: Float32Array;
  /** Class index per example, or null for unlabelled data. */
  labels: Int32Array | null;
  count: number;
}

/** A data set ready for training: train and test splits of examples of one shape. */
export interface Dataset {
  /** Short name recorded in the run, e.g. `mnist`. */
  name: string;
  /** Shape of one example without the batch dimension, e.g. [28, 28, 1]. */
  shape: number[];
  /** Layout of `shape`: `hwc` for images, `features` for flat tables. */
  layout: 'hwc' | 'features';
  /** Range the values lie in (what the decoder's mean must cover). */
  valueRange: [number, number];
  /** Class names when the data is labelled, index = label. */
  classes: string[] | null;
  train: DataSplit;
  test: DataSplit;
  /** Where the data came from, for the run's record. */
  source: string;
  /** How raw features were scaled (CSV tables); inference applies the same. */
  scaling?: InputScaling | null;
}

/** Number of features of one example. */
export function featureCount(dataset: Pick<Dataset, 'shape'>): number {
  return dataset.shape.reduce((a, b) => a * b, 1);
}

/** Copies the rows `indices` of `split` into one contiguous batch. */
export function gatherRows(split: DataSplit, features: number, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
  const batch = out ?? new Float32Array(indices.length * features);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i]!;
    batch.set(split.x.subarray(row * features, (row + 1) * features), i * features);
  }
  return batch;
}

/** One-hot rows [count, classes] for the labels of `split` (all rows, or `rows`). */
export function oneHotLabels(split: DataSplit, classes: number, rows?: ArrayLike<number>): Float32Array {
  const count = rows ? rows.length : split.count;
  const out = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) out[i * classes + split.labels![rows ? rows[i]! : i]!] = 1;
  return out;
}
