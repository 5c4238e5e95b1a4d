import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/train/backend/select-backend.js';
import { loadCheckpoint, saveCheckpoint } from '../../../src/train/run/checkpoint.js';
import { resolveTrainConfig } from '../../../src/train/config.js';
import { buildVae } from '../../../src/train/model/build.js';

let root: string;

beforeAll(async () => {
  await selectBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'vaekit-checkpoint-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('saveCheckpoint', () => {
  it('replaces its own older checkpoint folders but never a file it did not write (issue 10: checkpoints/mine.txt)', async () => {
    const config = resolveTrainConfig({ hidden: [8], latentDim: 2 });
    const models = buildVae(config.architecture, { inputShape: [2, 2, 1], likelihood: { kind: 'bernoulli' }, valueRange: [0, 1], seed: 1 });
    const optimizer = tf.train.adam(0.001);
    const state = (epoch: number) => ({ epoch, step: epoch, config, samplerPosition: 0, history: [], backend: 'cpu' });
    const run = join(root, 'run');
    await mkdir(join(run, 'checkpoints/epoch-0001'), { recursive: true });
    await writeFile(join(run, 'checkpoints/mine.txt'), 'mine');
    await writeFile(join(run, 'checkpoints/epoch-0001/notes.md'), 'notes');
    await mkdir(join(run, 'checkpoints/epoch-0000'));
    await writeFile(join(run, 'checkpoints/epoch-0000/state.json'), '{}'); // a stale one of vaekit's

    await saveCheckpoint(run, models, { model: optimizer }, state(1));
    await saveCheckpoint(run, models, { model: optimizer }, state(2));

    expect((await readdir(join(run, 'checkpoints'))).sort()).toEqual(['epoch-0001', 'epoch-0002', 'mine.txt']);
    expect(await readFile(join(run, 'checkpoints/mine.txt'), 'utf8')).toBe('mine');
    expect(await readdir(join(run, 'checkpoints/epoch-0001'))).toEqual(['notes.md']);
    expect((await loadCheckpoint(run)).state.epoch).toBe(2);
    optimizer.dispose();
  });
});
