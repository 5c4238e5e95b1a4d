import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLayerConverter } from '../../../export/converters/index.js';
import { VaekitError } from '../../../src/errors.js';
import { sha256Hex } from '../../../src/manifest/sha256.js';
import { parseManifest } from '../../../src/manifest/validate.js';
import type { Dataset } from '../../../src/train/data/dataset.js';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import { exportRun } from '../../../src/train/run/export-run.js';
import { train, type TrainResult } from '../../../src/train/trainer.js';
import { rejected } from '../../helpers/thrown.js';
import { fingerprint } from '../../hostile/harness.js';

let root: string;
let run: TrainResult;
let dataset: Dataset;

/** A custom layer (y = 2x) whose converter below is subtly wrong: what verification exists to catch. */
class TimesTwo extends tfl.layers.Layer {
  static className = 'TimesTwo';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(Array.isArray(inputs) ? inputs[0]! : inputs, 2);
  }
}
tf.serialization.registerClass(TimesTwo);

function decoderWithCustomLayer(latentDim: number): tfl.LayersModel {
  const z = tfl.input({ shape: [latentDim], name: 'z' });
  const dense = tfl.layers.dense({ units: 784 }).apply(z) as tfl.SymbolicTensor;
  const doubled = new TimesTwo({}).apply(dense) as tfl.SymbolicTensor;
  const pre = tfl.layers.reshape({ targetShape: [28, 28, 1] }).apply(doubled) as tfl.SymbolicTensor;
  const logits = tfl.layers.activation({ activation: 'linear', name: 'logits' }).apply(pre) as tfl.SymbolicTensor;
  const mean = tfl.layers.activation({ activation: 'sigmoid', name: 'mean' }).apply(pre) as tfl.SymbolicTensor;
  return tfl.model({ inputs: z, outputs: [logits, mean] });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaekit-export-'));
  dataset = await loadEmbeddedMnist({ perClassLimit: 40 });
  run = await train({
    out: join(root, 'run'), dataset, backend: 'wasm', hidden: [64], latentDim: 4, epochs: 1, maxTest: 60, iwaeSamples: 4, seed: 2,
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('exportRun', () => {
  it('writes a verified model folder: graphs, manifest with their hashes, model card and pictures', async () => {
    const out = join(root, 'model');
    const logged: string[] = [];
    const result = await exportRun(run.runDir, { out, log: (l) => logged.push(l) });
    expect(result.verification!.passed).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['README.md', 'decoder.onnx', 'encoder.onnx', 'latent-match.png', 'reconstructions.png', 'samples.png', 'vaekit.json']);
    const manifest = JSON.parse(await readFile(join(out, 'vaekit.json'), 'utf8'));
    expect(manifest.graphs.encoder.sha256).toBe(await sha256Hex(await readFile(join(out, 'encoder.onnx'))));
    expect(manifest.graphs.decoder.sha256).toBe(await sha256Hex(await readFile(join(out, 'decoder.onnx'))));
    expect(manifest.training).toMatchObject({ epochs: 1, seed: 2, backend: 'wasm' });
    expect(manifest.training.metrics.testNegElbo).toBeCloseTo(run.final!.testNegElbo, 10);
    const card = await readFile(join(out, 'README.md'), 'utf8');
    expect(card).toContain('vaekit train --data mnist --epochs 1 --seed 2 --hidden 64 --latent-dim 4 --iwae-samples 4 --max-test 60');
    expect(card).toContain('![Samples from the prior');
    // The prior match travels with the model: the MMD² row and the per-dimension picture.
    expect(manifest.training.metrics.latentMmd).toBeCloseTo(run.final!.latentMatch.mmd, 10);
    expect(card).toMatch(/latent match to N\(0, I\): MMD² of encoded z \(0 = matched\) \| -?\d\.\d{4} \|/);
    expect(card).toContain('![Encoded test latents per dimension');
    expect(logged.join('\n')).toMatch(/encoder\s+mu\s+60 data rows/);
    // The anomaly calibration: the exported graphs' scores of the 60 test rows at the run's IWAE k.
    expect(manifest.calibration).toMatchObject({ data: 'mnist test split (60 rows)', count: 60, k: 4, seed: 0, compressor: 'png-deflate9/fflate-0.8.3' });
    expect(parseManifest(manifest).calibration!.quantiles.nll).toHaveLength(119);
    expect(logged.join('\n')).toMatch(/calibration: IWAE NLL median \d+\.\d\d, 99th percentile \d+\.\d\d nats/);
    // Nothing staged is left beside it.
    expect((await readdir(root)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('refuses a graph that differs from tfjs: non-zero, nothing written, an existing model untouched', async () => {
    registerLayerConverter('TimesTwo', (c) => {
      const k = c.graph.addFloatConstant(`${c.hint}/k`, new Float32Array([2.001]), []);
      return c.graph.node('Mul', [c.inputs[0]!, k], {}, c.hint)[0]!;
    });
    const models = { encoder: run.models.encoder, decoder: decoderWithCustomLayer(4) };
    const fresh = join(root, 'refused');
    const error = await exportRun(run.runDir, { out: fresh, models, dataset: run.dataset }).catch((e) => e);
    expect(error).toBeInstanceOf(VaekitError);
    expect((error as VaekitError).code).toBe('verification-failed');
    expect((error as VaekitError).message).toMatch(/decoder\s+logits.*FAIL/);
    expect(existsSync(fresh)).toBe(false);

    const existing = join(root, 'existing');
    await exportRun(run.runDir, { out: existing });
    const before = await readFile(join(existing, 'vaekit.json'), 'utf8');
    await expect(exportRun(run.runDir, { out: existing, models, dataset: run.dataset })).rejects.toThrow(/nothing was written/);
    expect(await readFile(join(existing, 'vaekit.json'), 'utf8')).toBe(before);
  });

  it('refuses a folder holding files vaekit did not write before exporting; with force keeps them byte for byte (issue 10)', async () => {
    const foreign = join(root, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'important.txt'), 'x\n');
    const before = await fingerprint(foreign);
    const error = await rejected(exportRun(run.runDir, { out: foreign }));
    expect(error.code).toBe('refused-overwrite');
    expect(error.message).toContain(`${foreign} holds an entry vaekit did not write: important.txt`);
    expect(await fingerprint(foreign)).toEqual(before);

    const forced = await exportRun(run.runDir, { out: foreign, force: true });
    expect(forced.inPlace).toBe(true);
    expect((await fingerprint(foreign))['important.txt']).toBe(before['important.txt']);
    expect((await readdir(foreign)).sort()).toEqual(['README.md', 'decoder.onnx', 'encoder.onnx', 'important.txt', 'latent-match.png', 'reconstructions.png', 'samples.png', 'vaekit.json']);
  });

  it('refuses an unwritable target and a folder that is not a run', async () => {
    await expect(exportRun(run.runDir, { out: '/etc/hostname/model' })).rejects.toThrow(/could not write the model folder \/etc\/hostname\/model/);
    const notRun = join(root, 'not-a-run');
    await expect(exportRun(notRun, { out: join(root, 'x') })).rejects.toThrow(/'run' must be a run folder written by `vaekit train`/);
  });
});
