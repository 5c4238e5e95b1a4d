import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../../../src/train/config.js';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import type { Dataset } from '../../../src/train/data/dataset.js';
import { resumeTraining, train, type TrainOptions } from '../../../src/train/trainer.js';
import { metricsLines, withoutTimes } from '../../helpers/run-metrics.js';

let dataset: Dataset;
let root: string;

const small = (out: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  out: join(root, out), dataset, backend: 'wasm', hidden: [48], latentDim: 4, batchSize: 40, epochs: 3, seed: 2,
  maxTrain: 400, maxTest: 120, iwaeSamples: 4, workers: 2, ...extra,
});

beforeAll(async () => {
  dataset = await loadEmbeddedMnist({ perClassLimit: 60 });
  root = await mkdtemp(join(tmpdir(), 'vaekit-workers-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('train({ workers })', () => {
  it('records the worker count in config.json and every epoch, and lands within float32 noise of one thread', async () => {
    const two = await train(small('two'));
    const one = await train(small('one', { workers: 1 }));
    const config = JSON.parse(await readFile(join(two.runDir, 'config.json'), 'utf8')) as { workers: number };
    expect(config.workers).toBe(2);
    expect(two.history.map((m) => m.workers)).toEqual([2, 2, 2]);
    expect(two.history.map((m) => m.engine)).toEqual(['dense', 'dense', 'dense']);
    two.history.forEach((m, e) => {
      expect(Math.abs(m.trainNegElbo - one.history[e]!.trainNegElbo)).toBeLessThan(0.05);
      expect(Math.abs(m.testNegElbo - one.history[e]!.testNegElbo)).toBeLessThan(0.05);
    });
    for (const r of [one, two]) {
      r.models.encoder.dispose();
      r.models.decoder.dispose();
    }
  }, 120_000);

  it('resumes a 2-worker run to exactly the metrics of an uninterrupted 2-worker run', async () => {
    const whole = await train(small('whole'));
    await train(small('parted', { stopAfterEpochs: 1 }));
    const resumed = await resumeTraining(join(root, 'parted'), { backend: 'wasm', dataset });
    expect(withoutTimes(await metricsLines(resumed.runDir))).toEqual(withoutTimes(await metricsLines(whole.runDir)));
    for (const r of [whole, resumed]) {
      r.models.encoder.dispose();
      r.models.decoder.dispose();
    }
  }, 120_000);

  it('refuses worker counts it cannot use, naming the option, what it takes and what it got', async () => {
    expect(() => resolveTrainConfig({ workers: 0 })).toThrow(`'workers' must be a positive integer of at most 64, or "auto"; found 0`);
    expect(() => resolveTrainConfig({ workers: 1.5 })).toThrow(/'workers' must be a positive integer/);
    expect(() => resolveTrainConfig({ workers: 'many' as never })).toThrow(/'workers' must be .*found "many"/);
    expect(() => resolveTrainConfig({ workers: 2, objective: 'aae' })).toThrow(`'workers' must be 1 with objective 'aae'`);
    expect(resolveTrainConfig({ workers: 'auto' }).workers).toBeGreaterThanOrEqual(1);
    expect(resolveTrainConfig({}).workers).toBe(1);
  });
});
