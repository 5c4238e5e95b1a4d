import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import type { Dataset } from '../../src/train/data/dataset.js';
import { resumeTraining, train, type TrainOptions } from '../../src/train/trainer.js';
import { metricsLines, withoutTimes } from '../helpers/run-metrics.js';
import { rejected } from '../helpers/thrown.js';
import { fingerprint } from '../hostile/harness.js';

let dataset: Dataset;
let root: string;

// Small model and data: correctness, not quality (the quality run is `npm start`).
const small = (out: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  out,
  dataset,
  backend: 'wasm',
  hidden: [64],
  latentDim: 4,
  batchSize: 64,
  epochs: 3,
  seed: 7,
  maxTrain: 320,
  maxTest: 100,
  iwaeSamples: 16,
  ...extra,
});

beforeAll(async () => {
  dataset = await loadEmbeddedMnist({ perClassLimit: 60 });
  root = await mkdtemp(join(tmpdir(), 'vaekit-train-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('train', () => {
  it('writes metrics per epoch, a final IWAE line, pictures and the model', async () => {
    const out = join(root, 'basic');
    const events: string[] = [];
    const result = await train(small(out, { onEvent: (e) => events.push(e.type) }));
    expect(result.backend).toBe('wasm');
    const lines = await metricsLines(out);
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(0, 3)) {
      for (const key of ['epoch', 'trainNegElbo', 'testNegElbo', 'testRecon', 'testKl', 'activeUnits', 'samplesPerSec', 'backend']) {
        expect(line).toHaveProperty(key);
      }
      expect(line['backend']).toBe('wasm');
      expect((line['testRecon'] as number) + (line['testKl'] as number)).toBeCloseTo(line['testNegElbo'] as number, 6);
    }
    // Learning happens: the test −ELBO falls from epoch 1 to 3 (543 nats is a uniform decoder).
    expect(lines[2]!['testNegElbo']).toBeLessThan(lines[0]!['testNegElbo'] as number);
    const final = lines[3]!;
    expect(final['final']).toBe(true);
    // log p(x) ≥ ELBO, and the K-sample bound is tighter than K = 1.
    expect(final['testIwaeNll']).toBeLessThan(final['testNegElbo'] as number);
    expect(final['testIwaeNll']).toBeGreaterThan((final['testNegElbo'] as number) - 30);
    for (const file of ['config.json', 'checkpoint.json', 'loss-curve.png', 'samples.png', 'reconstructions.png', 'model/encoder.json', 'model/decoder.weights.bin']) {
      expect((await stat(join(out, file))).size).toBeGreaterThan(0);
    }
    expect(events.filter((e) => e === 'batch')).toHaveLength(3 * 5);
    expect(events.at(-1)).toBe('done');
  });

  it('gives the same losses epoch after epoch for the same seed and backend, others for another seed', async () => {
    const a = join(root, 'seed-a');
    const b = join(root, 'seed-b');
    const c = join(root, 'seed-c');
    await train(small(a, { epochs: 2 }));
    await train(small(b, { epochs: 2 }));
    await train(small(c, { epochs: 2, seed: 8 }));
    expect(withoutTimes(await metricsLines(b))).toEqual(withoutTimes(await metricsLines(a)));
    expect((await metricsLines(c))[0]!['trainNegElbo']).not.toEqual((await metricsLines(a))[0]!['trainNegElbo']);
  });

  it('resumes from a checkpoint to exactly the metrics of an uninterrupted run', async () => {
    const whole = join(root, 'whole');
    const parted = join(root, 'parted');
    const options = { warmupSteps: 7, freeBits: 0.05, mcSamples: 2 };
    await train(small(whole, options));
    const first = await train(small(parted, { ...options, stopAfterEpochs: 1 }));
    expect(first.final).toBeNull();
    expect(await metricsLines(parted)).toHaveLength(1);
    const resumed = await resumeTraining(parted, { backend: 'wasm', dataset });
    expect(resumed.history).toHaveLength(3);
    expect(withoutTimes(await metricsLines(parted))).toEqual(withoutTimes(await metricsLines(whole)));
  });

  it('refuses bad configuration with the argument, expectation and value', async () => {
    await expect(train(small(join(root, 'bad'), { latentDim: 0 }))).rejects.toThrow(/'latentDim' must be a positive integer; found 0/);
    await expect(train(small(join(root, 'bad'), { beta: -1 }))).rejects.toThrow(/'beta' must be a non-negative number; found -1/);
    await expect(train(small(join(root, 'bad'), { epochs: 1.5 }))).rejects.toThrow(/'epochs' must be a positive integer; found 1.5/);
    await expect(resumeTraining(join(root, 'nothing-here'))).rejects.toThrow(/'resume' must name a run folder holding checkpoint.json/);
  });

  it('refuses an out folder holding files vaekit did not write (refused-overwrite) before writing anything (issue 10)', async () => {
    const foreign = join(root, 'foreign');
    await mkdir(join(foreign, 'onnx'), { recursive: true });
    await writeFile(join(foreign, 'onnx/thesis.pdf'), '%PDF');
    const before = await fingerprint(foreign);
    const error = await rejected(train(small(foreign)));
    expect(error.code).toBe('refused-overwrite');
    expect(error.message).toContain('holds an entry vaekit did not write: onnx/thesis.pdf');
    expect(await fingerprint(foreign)).toEqual(before);
  });
});
