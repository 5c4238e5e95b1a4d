import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addOptions, givenValues } from '../../../src/cli/options.js';
import { DEFAULT_SEED } from '../../../src/sampler/index.js';
import { resolveTrainConfig, type TrainConfigInput } from '../../../src/train/config.js';
import { DATA_OPTIONS, DATA_SOURCE_OPTION, type DataOptions, type DataSource } from '../../../src/train/options/data-options.js';
import { TRAIN_OPTIONS } from '../../../src/train/options/train-options.js';
import { trainCommandLine } from '../../../src/train/run/command-line.js';

/** Parses a `vaekit train …` line with the commander options derived from the tables, back into a config. */
function parseCommandLine(line: string) {
  const command = new Command('train').exitOverride();
  addOptions(command, [DATA_SOURCE_OPTION, ...DATA_OPTIONS, ...TRAIN_OPTIONS]);
  command.option('--out <dir>');
  command.parse(line.split(' ').slice(2), { from: 'user' });
  const data = givenValues<{ data: DataSource }>(command, [DATA_SOURCE_OPTION]).data;
  return resolveTrainConfig({ ...givenValues<TrainConfigInput>(command, TRAIN_OPTIONS), data, dataOptions: givenValues<DataOptions>(command, DATA_OPTIONS) });
}

describe('the training-option table', () => {
  it.each<[string, TrainConfigInput]>([
    ['the default run', {}],
    ['the reference run', { seed: 1 }],
    ['a conv CVAE', { arch: 'conv', channels: [16, 32], stride: 2, condition: 'label', hidden: [128], latentDim: 8 }],
    ['a gaussian β-VAE', { likelihood: 'gaussian', sigma: 0.5, beta: 4, warmupSteps: 100, freeBits: 0.25, mcSamples: 2, learningRate: 3e-4, batchSize: 64 }],
    ['a learned-variance AAE', { likelihood: 'gaussian-learned', logvarFloor: -4, objective: 'aae', adversarialLearningRate: 1e-4, iwaeSamples: 0, maxTrain: 512, maxTest: 64 }],
    ['a CSV table', { data: 'csv', dataOptions: { file: 'sensors.csv', columns: ['a', 'b'], label: 'machine', scaling: 'standardize', testFraction: 0.2, splitSeed: 9 }, seed: 3 }],
    ['PNGs split by the run seed', { data: 'png', dataOptions: { dir: 'faces/' }, seed: 5 }],
  ])('the model card command line of %s parses back to the same config', (_name, input) => {
    const config = resolveTrainConfig(input);
    const line = trainCommandLine(config, 'runs/x');
    expect(parseCommandLine(line)).toEqual(config);
  });

  it('prints only what differs from the defaults (epochs and seed always)', () => {
    expect(trainCommandLine(resolveTrainConfig({ seed: 1 }), 'runs/mnist-mlp')).toBe('vaekit train --data mnist --epochs 20 --seed 1 --out runs/mnist-mlp');
    expect(trainCommandLine(resolveTrainConfig({ arch: 'conv', data: 'png', dataOptions: { dir: 'd' }, seed: 2 }))).toBe('vaekit train --data png --data-dir d --epochs 20 --seed 2 --arch conv');
  });

  it('has one default seed, the sampler’s', () => {
    expect(resolveTrainConfig({}).seed).toBe(DEFAULT_SEED);
  });

  it('names library keys in its errors, never flags', () => {
    expect(() => resolveTrainConfig({ latentDim: 0 })).toThrow("'latentDim' must be a positive integer; found 0");
    expect(() => resolveTrainConfig({ hidden: [400, 0] })).toThrow("'hidden' must be comma-separated positive integers, e.g. 512,256; found [400,0]");
  });
});
