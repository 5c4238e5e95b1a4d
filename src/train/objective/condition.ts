import { VaekitError } from '../../errors.js';
import type { TrainConfig } from '../config.js';
import type { Dataset } from '../data/dataset.js';

/** Classes of a conditional run (the data's labels), or undefined; refuses unlabelled data. */
export function conditionClasses(config: TrainConfig, dataset: Dataset): number | undefined {
  if (config.condition !== 'label') return undefined;
  if (!dataset.classes || !dataset.train.labels || !dataset.test.labels) {
    throw new VaekitError('invalid-argument', `'condition' label needs labelled data; ${dataset.name} has no labels`);
  }
  return dataset.classes.length;
}
