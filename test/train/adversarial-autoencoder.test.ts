import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../../src/train/config.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import type { Dataset } from '../../src/train/data/dataset.js';
import { exportRun } from '../../src/train/run/export-run.js';
import type { FinalMetrics } from '../../src/train/objective/metrics.js';
import { resumeTraining, train, type TrainOptions } from '../../src/train/trainer.js';
import { metricsLines, withoutTimes } from '../helpers/run-metrics.js';

let dataset: Dataset;
let root: string;

// Small model and data; the latent-match test runs 6 epochs × 16 batches, enough for the discriminator to matter.
const small = (out: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  out,
  dataset,
  backend: 'wasm',
  objective: 'aae',
  hidden: [64],
  latentDim: 4,
  batchSize: 50,
  epochs: 4,
  seed: 5,
  maxTrain: 800,
  maxTest: 300,
  iwaeSamples: 8,
  ...extra,
});

beforeAll(async () => {
  dataset = await loadEmbeddedMnist({ perClassLimit: 110 });
  root = await mkdtemp(join(tmpdir(), 'vaekit-aae-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('adversarial autoencoder (objective aae)', () => {
  it('pulls the encoded latents toward N(0, I) where an unregularized autoencoder drifts away', async () => {
    const aae = await train(small(join(root, 'aae'), { epochs: 6 }));
    const plain = await train(small(join(root, 'plain'), { objective: 'elbo', beta: 0, epochs: 6 }));
    const aaeFinal = aae.final!;
    const plainFinal = plain.final!;
    // Same encoder/decoder, same data and ε: only the latent regularizer differs.
    expect(aaeFinal.latentMatch.mmd).toBeLessThan(plainFinal.latentMatch.mmd / 2);
    const spread = (f: FinalMetrics) => Math.max(...f.latentMatch.std.map((s) => Math.abs(Math.log(s))));
    expect(spread(aaeFinal)).toBeLessThan(spread(plainFinal));
    const lines = await metricsLines(join(root, 'aae'));
    for (const line of lines.slice(0, 6)) {
      // Both players stay in the game: neither loss collapses to 0.
      expect(line['discriminatorLoss']).toBeGreaterThan(0.3);
      expect(line['generatorLoss']).toBeGreaterThan(0.3);
      expect(line).toHaveProperty('latentMmd');
    }
    for (const file of ['model/discriminator.json', 'model/encoder.json', 'checkpoints/epoch-0006/discriminator.weights.bin', 'checkpoints/epoch-0006/optimizer-generator.bin']) {
      expect((await stat(join(root, 'aae', file))).size).toBeGreaterThan(0);
    }
    aae.models.encoder.dispose();
    plain.models.encoder.dispose();
  });

  it('resumes to exactly the metrics of an uninterrupted run (discriminator and both extra optimizers restored)', async () => {
    const whole = join(root, 'whole');
    const parted = join(root, 'parted');
    await train(small(whole, { epochs: 3 }));
    const first = await train(small(parted, { epochs: 3, stopAfterEpochs: 2 }));
    expect(first.final).toBeNull();
    const resumed = await resumeTraining(parted, { backend: 'wasm', dataset });
    expect(resumed.config.objective).toBe('aae');
    expect(withoutTimes(await metricsLines(parted))).toEqual(withoutTimes(await metricsLines(whole)));
  });

  it('exports the encoder and decoder (not the discriminator) and verifies them', async () => {
    const result = await exportRun(join(root, 'aae'), { out: join(root, 'aae-onnx'), dataset });
    expect(result.verification?.passed).toBe(true);
    expect(Object.keys(result.manifest.graphs).sort()).toEqual(['decoder', 'encoder']);
    expect(result.manifest.training?.config['objective']).toBe('aae');
    expect(result.manifest.training?.metrics['latentMmd']).toBeTypeOf('number');
  });

  it('refuses KL-term options with objective aae, naming the option', () => {
    expect(() => resolveTrainConfig({ objective: 'aae', beta: 4 })).toThrow(/'beta' must be 1 with objective 'aae'.*found 4/);
    expect(() => resolveTrainConfig({ objective: 'aae', freeBits: 0.5 })).toThrow(/'freeBits' must be 0 with objective 'aae'/);
    expect(() => resolveTrainConfig({ objective: 'gan' as never })).toThrow(/'objective' must be one of "elbo", "aae"; found "gan"/);
    expect(() => resolveTrainConfig({ objective: 'aae', adversarialLearningRate: 0 })).toThrow(/'adversarialLearningRate' must be a positive number; found 0/);
  });
});
