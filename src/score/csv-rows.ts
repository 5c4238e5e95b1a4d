/**
 * A CSV table as rows for a model, streamed: the model's feature columns, scaled with the scaling
 * the manifest recorded at training (never refitted on the data being scored), labels as the
 * model's class indices.
 */
import { VaekitError } from '../errors.js';
import type { VaeManifest } from '../manifest/schema.js';
import { DEFAULT_SEED } from '../sampler/index.js';
import { openCsvStream } from '../train/data/csv-stream.js';
import {
  type CsvRow,
  classOrder,
  columnIndex,
  countNumericCells,
  defaultFeatureColumns,
  labelName,
  namedFeatureColumns,
  readFeatures,
  where,
} from '../train/data/csv-table.js';
import { applyScaling, seededTestMask } from '../train/data/scaling.js';
import type { RowBatch, RowReader } from './row-readers.js';

/** Most distinct values a label column may hold. */
const MAX_CLASSES = 65_536;

export interface CsvRowsOptions {
  file: string;
  /** Feature columns; default the model's recorded ones, else csv.ts's default rule. */
  columns?: string[];
  /** Label column; default the model's recorded one when the file has it. */
  label?: string;
  split: 'all' | 'train' | 'test';
  testFraction: number;
  splitSeed?: number;
}

/** What `vaekit train --data csv` recorded about the table in the manifest (training.config.dataOptions). */
function recorded(manifest: VaeManifest): { columns?: string[]; label?: string } {
  const options = (manifest.training?.config as { dataOptions?: { columns?: unknown; label?: unknown } } | undefined)?.dataOptions;
  return {
    columns: Array.isArray(options?.columns) && options.columns.every((c) => typeof c === 'string') ? options.columns : undefined,
    label: typeof options?.label === 'string' ? options.label : undefined,
  };
}

/**
 * The label of a class name for the model: a conditional model's own class names (integer names
 * compared as numbers, as training did), otherwise the order of the file's classes.
 */
function labelMapper(manifest: VaeManifest, fileClasses: string[] | null): (name: string) => number | undefined {
  if (manifest.condition) return classOrderOf(manifest.condition.labels);
  return fileClasses ? classOrderOf(fileClasses) : () => undefined;
}

function classOrderOf(classes: string[]): (name: string) => number | undefined {
  const integers = classes.every((c) => /^[+-]?\d+$/.test(c));
  const index = new Map(classes.map((c, i) => [integers ? String(Number(c)) : c, i]));
  return (name) => index.get(integers && /^[+-]?\d+$/.test(name) ? String(Number(name)) : name);
}

/** One pass over the file: numeric cells per column, each row's label (as a first-seen id) and the rows. */
async function survey(file: string, header: string[], labelIndex: number) {
  const table = await openCsvStream(file);
  const numeric = new Float64Array(header.length);
  const ids = new Map<string, number>();
  let labels = new Int32Array(labelIndex >= 0 ? 1024 : 0);
  let rows = 0;
  for await (const r of table.rows) {
    countNumericCells(r, numeric);
    if (labelIndex >= 0) {
      const name = labelName(table.path, header, r, labelIndex);
      let id = ids.get(name);
      if (id === undefined) {
        if (ids.size >= MAX_CLASSES) throw new VaekitError('invalid-data', `${where(table.path, r)}: the label column holds more than ${MAX_CLASSES} distinct values`);
        ids.set(name, (id = ids.size));
      }
      if (rows === labels.length) {
        const grown = new Int32Array(labels.length * 2);
        grown.set(labels);
        labels = grown;
      }
      labels[rows] = id;
    }
    rows++;
  }
  return { numeric, rows, names: [...ids.keys()], firstSeenLabels: labels.subarray(0, labelIndex >= 0 ? rows : 0) };
}

/**
 * Opens a CSV table for scoring with the model of `manifest`.
 *
 * A first pass over the file runs only when needed — to find the default feature columns (when
 * neither `columns` nor the manifest names them), the classes of an unconditional model's label
 * column, or the seeded train/test split (4 bytes per row) — and then `total` is known.
 *
 * @throws VaekitError `shape-mismatch` when the feature columns are not as many as the model's
 * inputs; `invalid-data` naming the row and column of a bad cell; `invalid-argument` for a column
 * the file lacks.
 */
export async function csvRows(manifest: VaeManifest, options: CsvRowsOptions): Promise<RowReader & { total: number | null }> {
  const model = manifest.name;
  const features = manifest.input.shape.reduce((a, b) => a * b, 1);
  const table = await openCsvStream(options.file);
  const { path, header } = table;
  try {
    const fromModel = recorded(manifest);
    const label = options.label ?? (fromModel.label !== undefined && header.includes(fromModel.label) ? fromModel.label : undefined);
    const labelIndex = label === undefined ? -1 : columnIndex(path, header, label, "'label'");
    if (manifest.condition && labelIndex < 0) {
      throw new VaekitError('condition-mismatch', `model '${model}' is conditional: scoring needs a label column (--label); ${path} has none named`);
    }
    const columns = options.columns ?? fromModel.columns;
    const needSurvey = columns === undefined || (labelIndex >= 0 && !manifest.condition) || options.split !== 'all';
    const surveyed = needSurvey ? await survey(path, header, labelIndex) : null;
    const featureIndex = columns !== undefined
      ? namedFeatureColumns(path, header, columns, labelIndex, label)
      : defaultFeatureColumns(path, header, labelIndex, surveyed!.numeric, surveyed!.rows);
    if (featureIndex.length !== features) {
      throw new VaekitError(
        'shape-mismatch',
        `${path}: ${featureIndex.length} feature column(s) (${featureIndex.map((j) => header[j]).join(', ')}); model '${model}' takes ${features} (input shape [${manifest.input.shape.join(', ')}]); ` +
          'name the model\'s columns with --columns',
      );
    }
    const fileClasses = surveyed && labelIndex >= 0 ? classOrder(surveyed.names).classes : null;
    const toLabel = labelMapper(manifest, fileClasses);

    let testMask: Uint8Array | null = null;
    let total = surveyed?.rows ?? null;
    if (options.split !== 'all') {
      const { firstSeenLabels, names, rows } = surveyed!;
      const groups = labelIndex >= 0 ? Int32Array.from(firstSeenLabels, (id) => toLabel(names[id]!) ?? -1) : null;
      testMask = seededTestMask(rows, groups, options.testFraction, options.splitSeed ?? DEFAULT_SEED);
      const tests = testMask.reduce((a, b) => a + b, 0);
      total = options.split === 'test' ? tests : rows - tests;
    }

    const rows = table.rows[Symbol.asyncIterator]();
    let fileRow = 0;
    /** The next row of the split, or null at the end. */
    const nextRow = async (): Promise<CsvRow | null> => {
      for (;;) {
        const r = await rows.next();
        if (r.done) return null;
        const i = fileRow++;
        if (!testMask || (testMask[i] === 1) === (options.split === 'test')) return r.value;
      }
    };
    const scaling = manifest.input.scaling;
    return {
      features,
      image: null,
      labelled: labelIndex >= 0,
      total,
      async read(n) {
        const batch: RowBatch = { x: new Float32Array(n * features), labels: labelIndex >= 0 ? new Int32Array(n) : null, count: 0 };
        while (batch.count < n) {
          const r = await nextRow();
          if (!r) break;
          readFeatures(path, header, r, featureIndex, batch.x, batch.count * features);
          if (batch.labels) {
            const name = labelName(path, header, r, labelIndex);
            const value = toLabel(name);
            if (value === undefined) {
              throw new VaekitError('invalid-data', `${where(path, r)}: class ${JSON.stringify(name)} is not one of model '${model}''s classes (${manifest.condition!.labels.join(', ')})`);
            }
            batch.labels[batch.count] = value;
          }
          batch.count++;
        }
        const out = batch.count === n ? batch : { x: batch.x.slice(0, batch.count * features), labels: batch.labels?.slice(0, batch.count) ?? null, count: batch.count };
        applyScaling(out, features, scaling);
        return out;
      },
      async skip(n) {
        let done = 0;
        while (done < n && (await nextRow())) done++;
        return done;
      },
      async close() {
        table.close();
        await rows.return?.();
      },
    };
  } catch (error) {
    table.close();
    throw error;
  }
}
