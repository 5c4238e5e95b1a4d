import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../../../src/train/config.js';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import type { Dataset } from '../../../src/train/data/dataset.js';
import { train, type TrainOptions } from '../../../src/train/trainer.js';
import type { TrainEvent } from '../../../src/train/train-events.js';

let dataset: Dataset;
let root: string;

const small = (out: string, extra: Partial<TrainOptions> = {}): TrainOptions => ({
  out: join(root, out), dataset, backend: 'wasm', hidden: [48], latentDim: 4, batchSize: 40, epochs: 3, seed: 2,
  maxTrain: 400, maxTest: 120, iwaeSamples: 0, ...extra,
});

beforeAll(async () => {
  dataset = await loadEmbeddedMnist({ perClassLimit: 60 });
  root = await mkdtemp(join(tmpdir(), 'vaekit-engine-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('train({ engine })', () => {
  it("trains an MLP VAE on the dense step by default, to tfjs' engine's figures within float32 noise, and says so", async () => {
    const events: TrainEvent[] = [];
    const dense = await train(small('dense', { onEvent: (e) => events.push(e) }));
    const tfjs = await train(small('tfjs', { engine: 'tfjs' }));
    expect(events.find((e) => e.type === 'start')).toMatchObject({ engine: 'dense' });
    expect(dense.history.map((m) => m.engine)).toEqual(['dense', 'dense', 'dense']);
    expect(tfjs.history.map((m) => m.engine)).toEqual(['tfjs', 'tfjs', 'tfjs']);
    const config = JSON.parse(await readFile(join(dense.runDir, 'config.json'), 'utf8')) as { engine: string };
    expect(config.engine).toBe('auto');
    expect(dense.history[2]!.testNegElbo).toBeLessThan(dense.history[0]!.testNegElbo); // it learns
    dense.history.forEach((m, e) => {
      expect(Math.abs(m.trainNegElbo - tfjs.history[e]!.trainNegElbo)).toBeLessThan(0.05);
      expect(Math.abs(m.testNegElbo - tfjs.history[e]!.testNegElbo)).toBeLessThan(0.05);
    });
    for (const r of [dense, tfjs]) {
      r.models.encoder.dispose();
      r.models.decoder.dispose();
    }
  }, 120_000);

  it("keeps tfjs' engine for models the dense step does not train, and refuses engine dense for them, saying why", async () => {
    const conv = await train(small('conv', { arch: 'conv', channels: [4, 8], hidden: [16], epochs: 1 }));
    expect(conv.history[0]!.engine).toBe('tfjs');
    conv.models.encoder.dispose();
    conv.models.decoder.dispose();
    await expect(train(small('conv-dense', { arch: 'conv', channels: [4, 8], hidden: [16], epochs: 1, engine: 'dense' }))).rejects.toThrow(
      "'engine' dense trains an MLP VAE with a bernoulli or gaussian likelihood, no condition and objective elbo, off the tensorflow backend; found a conv VAE, bernoulli likelihood, objective elbo",
    );
    expect(() => resolveTrainConfig({ engine: 'fast' as never })).toThrow(/'engine' must be one of "auto", "dense", "tfjs".*found "fast"/);
  }, 120_000);
});
