import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/train/data/load-dataset.js';
import { DATA_OPTIONS, DATA_SOURCES, checkDataOptions } from '../../../src/train/options/data-options.js';
import { resolveTrainConfig } from '../../../src/train/config.js';
import { thrown } from '../../helpers/thrown.js';
import { fileURLToPath } from 'node:url';

const STATS = fileURLToPath(new URL('../../fixtures/csv/mnist-digit-stats.csv', import.meta.url));

describe('checkDataOptions (the data-option table)', () => {
  it('fills the defaults of the options a source reads, and only those', () => {
    expect(checkDataOptions('csv', { file: 'a.csv' })).toEqual({ file: 'a.csv', scaling: 'min-max', testFraction: 0.1 });
    expect(checkDataOptions('png', { dir: 'd' })).toEqual({ dir: 'd', testFraction: 0.1 });
    expect(checkDataOptions('mnist', {})).toEqual({});
  });

  it('names the missing required option by its library key, with what it is', () => {
    expect(thrown(() => checkDataOptions('idx', { testImages: 't' })).message).toBe("data 'idx' needs 'trainImages' (training images (IDX, .gz or raw)); found none");
  });

  it('refuses options the source does not read, unknown keys and wrong types', () => {
    expect(thrown(() => checkDataOptions('mnist', { dir: 'x' })).message).toBe("'dir' applies to data png, fashion-mnist; found it with data 'mnist'");
    expect(thrown(() => checkDataOptions('csv', { file: 'a', delimiter: ';' } as never)).message).toMatch(/^'dataOptions' has unknown keys 'delimiter'; the keys are trainImages, /);
    expect(thrown(() => checkDataOptions('csv', { file: 'a', testFraction: 1 })).message).toBe("'testFraction' must be a number between 0 and 1 (exclusive); found 1");
    expect(thrown(() => checkDataOptions('csv', { file: 'a', scaling: 'log' as never })).message).toBe(`'scaling' must be one of "min-max", "standardize", "none"; found "log"`);
  });

  it('declares, for every option, sources that exist', () => {
    for (const spec of DATA_OPTIONS) for (const source of Object.keys(spec.sources)) expect(DATA_SOURCES).toContain(source);
  });
});

describe('the split seed', () => {
  it("is the run's seed unless given, and is recorded in the config", () => {
    expect(resolveTrainConfig({ data: 'csv', dataOptions: { file: STATS }, seed: 7 }).dataOptions.splitSeed).toBe(7);
    expect(resolveTrainConfig({ data: 'csv', dataOptions: { file: STATS, splitSeed: 2 }, seed: 7 }).dataOptions.splitSeed).toBe(2);
    expect(resolveTrainConfig({ data: 'mnist', seed: 7 }).dataOptions).toEqual({}); // mnist comes split
  });

  it('chooses which rows are held out (it was always 1 before)', async () => {
    const ids = async (splitSeed: number) => {
      const data = await loadDataset('csv', { file: STATS, label: 'digit', columns: ['ink', 'height'], testFraction: 0.5, splitSeed });
      return Array.from(data.test.x);
    };
    expect(await ids(1)).toEqual(await ids(1));
    expect(await ids(2)).not.toEqual(await ids(1));
  });
});
