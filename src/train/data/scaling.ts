/**
 * Shared by the file loaders (`png-folder.ts`, `csv.ts`): the seeded train/test split and the
 * per-column input scaling fitted on the train split.
 */
import { VaekitError, describeValue } from '../../errors.js';
import type { InputScaling } from '../../manifest/schema.js';
import { fillUniform } from '../../sampler/index.js';
import type { DataSplit, Dataset } from './dataset.js';
import { STREAMS } from '../streams.js';

/**
 * Sampler stream of the file loaders' train/test split. Streams 0–5 are taken by training (see
 * `STREAMS` in ../streams.ts); 6 is reserved here for the split so it never shifts another draw.
 * Row i of a file data set (in file order) gets uniform i of (seed, stream 6, offset 0).
 */
export const DATA_SPLIT_STREAM = STREAMS.dataSplit;

/** A data set read from a table: the Dataset plus what inference needs to scale new rows. */
export type ScaledDataset = Dataset & {
  /** Scaling fitted on the train split and applied to both splits; null when not scaled. */
  scaling: InputScaling | null;
  /** Feature column names, in the order of each row's values. */
  columns: string[];
};

/** Scaling of a table's feature columns: `min-max` to [0, 1], `standardize`, or `none`. */
export type ScalingKind = 'min-max' | 'standardize' | 'none';

export function checkTestFraction(testFraction: unknown): number {
  if (typeof testFraction !== 'number' || !Number.isFinite(testFraction) || testFraction < 0 || testFraction >= 1) {
    throw new VaekitError('invalid-argument', `'testFraction' must be a number in [0, 1); found ${describeValue(testFraction)}`);
  }
  return testFraction;
}

/**
 * Which of `n` rows go to the test split: in each group (class, or all rows when `groups` is
 * null) the round(size · testFraction) rows — at least one when testFraction > 0 and the group has
 * two rows or more — with the smallest uniforms of (seed, DATA_SPLIT_STREAM) indexed by row. The
 * result depends only on (n, groups, testFraction, seed): the same every run and in every runtime.
 * Stratifying by class keeps every class with two examples or more in both splits.
 */
export function seededTestMask(n: number, groups: Int32Array | null, testFraction: number, seed: number): Uint8Array {
  checkTestFraction(testFraction);
  const u = fillUniform(new Float64Array(n), { seed, stream: DATA_SPLIT_STREAM, offset: 0 });
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups ? groups[i]! : 0;
    let rows = byGroup.get(g);
    if (!rows) byGroup.set(g, (rows = []));
    rows.push(i);
  }
  const mask = new Uint8Array(n);
  for (const rows of byGroup.values()) {
    let nTest = Math.round(rows.length * testFraction);
    if (testFraction > 0 && nTest === 0 && rows.length >= 2) nTest = 1;
    if (nTest >= rows.length) nTest = rows.length - 1; // keep a training example of every group
    const ranked = rows.slice().sort((a, b) => u[a]! - u[b]! || a - b);
    for (let k = 0; k < nTest; k++) mask[ranked[k]!] = 1;
  }
  return mask;
}

/** Splits row-major `x` (n rows of `features` values) by `testMask`, keeping file order in each split. */
export function splitRows(
  x: Float32Array,
  labels: Int32Array | null,
  features: number,
  testMask: Uint8Array,
): { train: DataSplit; test: DataSplit } {
  const n = testMask.length;
  let testCount = 0;
  for (let i = 0; i < n; i++) testCount += testMask[i]!;
  const trainCount = n - testCount;
  const train: DataSplit = { x: new Float32Array(trainCount * features), labels: labels ? new Int32Array(trainCount) : null, count: trainCount };
  const test: DataSplit = { x: new Float32Array(testCount * features), labels: labels ? new Int32Array(testCount) : null, count: testCount };
  let tr = 0;
  let te = 0;
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * features, (i + 1) * features);
    if (testMask[i]) {
      test.x.set(row, te * features);
      if (labels) test.labels![te] = labels[i]!;
      te++;
    } else {
      train.x.set(row, tr * features);
      if (labels) train.labels![tr] = labels[i]!;
      tr++;
    }
  }
  return { train, test };
}

/**
 * Fits a scaling of each column on the train rows only (`x` row-major, float64 sums).
 *
 * Constant columns (no spread in the train split) never divide by zero: min-max stores
 * max = min + 1 and standardize stores std = 1, so the column becomes 0 on the train split and
 * (x − min) or (x − mean) elsewhere — the stored scaling is exactly what was applied.
 */
export function fitScaling(train: DataSplit, features: number, kind: ScalingKind): InputScaling | null {
  if (kind === 'none') return null;
  const n = train.count;
  if (kind === 'min-max') {
    const min = new Array<number>(features).fill(Infinity);
    const max = new Array<number>(features).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < features; j++) {
        const v = train.x[i * features + j]!;
        if (v < min[j]!) min[j] = v;
        if (v > max[j]!) max[j] = v;
      }
    }
    for (let j = 0; j < features; j++) if (!(max[j]! > min[j]!)) max[j] = min[j]! + 1;
    return { kind: 'min-max', min, max };
  }
  const mean = new Array<number>(features).fill(0);
  const std = new Array<number>(features).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < features; j++) mean[j]! += train.x[i * features + j]!;
  for (let j = 0; j < features; j++) mean[j] = mean[j]! / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < features; j++) {
      const d = train.x[i * features + j]! - mean[j]!;
      std[j]! += d * d;
    }
  }
  // Population standard deviation (divide by n), as numpy's and scikit-learn's StandardScaler.
  for (let j = 0; j < features; j++) {
    const s = Math.sqrt(std[j]! / n);
    std[j] = s > 0 ? s : 1;
  }
  return { kind: 'standardize', mean, std };
}

/**
 * Applies `scaling` to a split in place. Min-max results are clipped to [0, 1] so test rows
 * beyond the train range stay in the declared value range (train rows are in it already).
 */
export function applyScaling(split: DataSplit, features: number, scaling: InputScaling | null): void {
  if (!scaling) return;
  const x = split.x;
  for (let i = 0; i < split.count; i++) {
    for (let j = 0; j < features; j++) {
      const k = i * features + j;
      if (scaling.kind === 'min-max') {
        const v = (x[k]! - scaling.min[j]!) / (scaling.max[j]! - scaling.min[j]!);
        x[k] = v < 0 ? 0 : v > 1 ? 1 : v;
      } else {
        x[k] = (x[k]! - scaling.mean[j]!) / scaling.std[j]!;
      }
    }
  }
}

/** Smallest and largest value of `x` ([0, 0] when empty). */
export function valueExtent(x: Float32Array): [number, number] {
  if (x.length === 0) return [0, 0];
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
