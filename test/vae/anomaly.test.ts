import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae, scorePercentiles, type VaeManifest } from '../../src/node.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import { measureCalibration, referenceScores } from '../../src/vae/anomaly-calibration.js';
import { CALIBRATION_GRID, quantiles } from '../../src/vae/calibration.js';
import { COMPLEXITY_COMPRESSOR, complexityBits, pngFiltered } from '../../src/vae/complexity.js';
import { docExamples, runDocExample } from '../helpers/doc-examples.js';
import { rejected, thrown } from '../helpers/thrown.js';

const MODEL = fileURLToPath(new URL('../../models/mnist-mlp/', import.meta.url));
const K = 16;
const REFERENCE_ROWS = 120;
const MNIST_INPUT = { shape: [28, 28, 1], layout: 'hwc' as const, range: [0, 1] as [number, number], scaling: null };

let graphs: { encoder: Uint8Array; decoder: Uint8Array };
let plainManifest: VaeManifest;
let reference: Float32Array;
let vae: Vae;

/** The shipped model's graphs with `manifest` (its own, or one with another calibration). */
const loadWith = (manifest: object) => Vae.load({ manifest, ...graphs }, { device: 'cpu' });

beforeAll(async () => {
  graphs = { encoder: await readFile(`${MODEL}encoder.onnx`), decoder: await readFile(`${MODEL}decoder.onnx`) };
  const { calibration: _shipped, ...rest } = JSON.parse(await readFile(`${MODEL}vaekit.json`, 'utf8')) as VaeManifest;
  plainManifest = rest;
  const { test } = await loadEmbeddedMnist();
  reference = test.x.slice(0, REFERENCE_ROWS * 784);
  // A small calibration of our own (120 test digits, k = 16), so the test does not depend on the shipped one.
  const uncalibrated = await loadWith(plainManifest);
  const calibration = await measureCalibration(uncalibrated, reference, REFERENCE_ROWS, { data: 'mnist test split (120 rows)', k: K, seed: 0 });
  await uncalibrated.dispose();
  vae = await loadWith({ ...plainManifest, calibration });
});

afterAll(async () => {
  await vae?.dispose();
});

describe('vae.anomaly', () => {
  it('scores the reference rows exactly as the calibration did (same ε streams, row i at offset i)', async () => {
    const scores = await referenceScores(vae, reference, REFERENCE_ROWS, { data: 'again', k: K, seed: 0 });
    const nll = await vae.anomaly(reference);
    expect(Array.from(nll.score)).toEqual(Array.from(scores.nll));
    expect(quantiles(nll.score, CALIBRATION_GRID)).toEqual(vae.manifest.calibration!.quantiles.nll);
    const elbo = await vae.anomaly(reference, { score: 'negElbo' });
    expect(Array.from(elbo.score)).toEqual(Array.from(scores.negElbo));
    // About 1 % of the reference rows lie above its 99th percentile.
    expect(nll.flag.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2);
  });

  it('percentiles are scorePercentiles of the scores: monotone in the score, 0–100', async () => {
    const { mean } = await vae.sample(24, { seed: 3 });
    const result = await vae.anomaly(mean, { k: K, seed: 5 });
    expect(Array.from(result.percentile)).toEqual(Array.from(scorePercentiles(vae.manifest.calibration!, 'nll', result.score)));
    const order = Array.from(result.score.keys()).sort((a, b) => result.score[a]! - result.score[b]!);
    for (let i = 1; i < order.length; i++) expect(result.percentile[order[i]!]!).toBeGreaterThanOrEqual(result.percentile[order[i - 1]!]!);
    expect(result.percentile.every((p) => p >= 0 && p <= 100)).toBe(true);
    expect(result.reference).toBe('nll');
  });

  it('flags exactly the rows above the threshold percentile, whose score is reported', async () => {
    const rows = reference.subarray(0, 40 * 784);
    const result = await vae.anomaly(rows, { threshold: 50 });
    for (let i = 0; i < 40; i++) expect(result.flag[i]).toBe(result.percentile[i]! > 50 ? 1 : 0);
    expect(result.flag.some((f) => f === 1) && result.flag.some((f) => f === 0)).toBe(true);
    const p = vae.manifest.calibration!.quantiles;
    expect(result.threshold).toEqual({ percentile: 50, score: p.nll[p.p.indexOf(0.5)] });
    for (let i = 0; i < 40; i++) expect(result.flag[i]).toBe(result.score[i]! > result.threshold.score ? 1 : 0);
    const strict = await vae.anomaly(rows, { threshold: 100 });
    expect(strict.flag.every((f) => f === 0)).toBe(true);
  });

  it('first: rows scored in two pieces give the scores of one call', async () => {
    const whole = await vae.anomaly(reference.subarray(0, 10 * 784));
    const head = await vae.anomaly(reference.subarray(0, 4 * 784));
    const tail = await vae.anomaly(reference.subarray(4 * 784, 10 * 784), { first: 4 });
    expect([...head.score, ...tail.score]).toEqual(Array.from(whole.score));
  });

  it('complexity: subtracts L(x)·ln 2 and takes percentiles against the adjusted quantiles', async () => {
    const rows = reference.subarray(0, 8 * 784);
    const plain = await vae.anomaly(rows);
    const adjusted = await vae.anomaly(rows, { complexity: true });
    const bits = complexityBits(rows, 8, MNIST_INPUT);
    expect(Array.from(adjusted.complexityBits!)).toEqual(Array.from(bits));
    expect(Array.from(adjusted.score)).toEqual(Array.from(plain.score).map((s, i) => s - bits[i]! * Math.LN2));
    expect(adjusted.reference).toBe('nllComplexity');
    expect(Array.from(adjusted.percentile)).toEqual(Array.from(scorePercentiles(vae.manifest.calibration!, 'nllComplexity', adjusted.score)));
    expect(vae.manifest.calibration!.compressor).toBe(COMPLEXITY_COMPRESSOR);
  });

  it("AnomalyOptions' @example runs as written on the shipped (calibrated) model", async () => {
    const [example] = docExamples(new URL('../../src/vae/anomaly.ts', import.meta.url));
    await runDocExample(example!, { vaekit: await import('../../src/node.js') });
  });

  it('refuses a model without calibration, saying how to add one', async () => {
    const plain = await loadWith(plainManifest);
    try {
      const error = await rejected(plain.anomaly(reference.subarray(0, 784)));
      expect(error.code).toBe('not-calibrated');
      expect(error.message).toMatch(/^model 'mnist-mlp' has no calibration: .*add one with `vaekit calibrate MODEL --data <reference data>`/);
    } finally {
      await plain.dispose();
    }
  });

  it('refuses bad options, naming them', async () => {
    const x = reference.subarray(0, 784);
    expect((await rejected(vae.anomaly(x, { threshold: 101 }))).message).toBe("'threshold' must be a percentile in [0, 100]; found 101");
    expect((await rejected(vae.anomaly(x, { score: 'mse' as never }))).message).toBe("'score' must be 'nll' or 'negElbo'; found \"mse\"");
    expect((await rejected(vae.anomaly(x, { k: 0 }))).message).toMatch(/^'k' must be an integer in \[1, 1000000\]/);
    expect((await rejected(vae.anomaly(x, { first: -1 }))).message).toMatch(/^'first' must be an integer ≥ 0/);
    expect((await rejected(vae.anomaly(x, { complexity: 'yes' as never }))).message).toBe("'complexity' must be true or false; found \"yes\"");
  });
});

describe('input complexity L(x)', () => {
  it('is deterministic: golden lengths of real digits and of synthetic images (hwc and chw)', async () => {
    const { test } = await loadEmbeddedMnist();
    expect(Array.from(complexityBits(test.x.subarray(0, 3 * 784), 3, MNIST_INPUT))).toEqual([1736, 1712, 2120]);
    const ramp = Float32Array.from({ length: 2 * 784 }, (_, i) => ((i * 37) % 256) / 255);
    expect(Array.from(complexityBits(ramp, 2, MNIST_INPUT))).toEqual([136, 136]);
    const chw = Float32Array.from({ length: 60 }, (_, i) => ((i * 11) % 17) / 16);
    expect(Array.from(complexityBits(chw, 1, { shape: [3, 4, 5], layout: 'chw', range: [0, 1], scaling: null }))).toEqual([528]);
  });

  it("filters each row with PNG's adaptive choice (smallest sum of absolute signed bytes)", () => {
    // Row 0: Sub (1, 1, 1, 1); row 1: Paeth beats Sub (5, 1, 1, 1) with (4, 1, 1, 1).
    expect(Array.from(pngFiltered(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), { height: 2, width: 4, channels: 1 }))).toEqual([1, 1, 1, 1, 1, 4, 4, 1, 1, 1]);
  });

  it('refuses a model whose input is not an image', () => {
    const error = thrown(() => complexityBits(new Float32Array(3), 1, { shape: [3], layout: 'features', range: [0, 1], scaling: null }, 'table'));
    expect(error.message).toBe("'complexity' needs an image model (input layout hwc or chw); model 'table' has input shape [3] (layout features)");
  });
});

describe('quantiles and percentiles', () => {
  it('quantiles use definition 7 (linear between order statistics), rounded to 1e-4', () => {
    expect(quantiles([3, 1, 2, 4], [0, 0.5, 1])).toEqual([1, 2.5, 4]);
    expect(quantiles([10, 20], [0.25, 0.333333])).toEqual([12.5, 13.3333]);
  });

  it('scorePercentiles inverts the quantile curve: 0 below, 100 above, linear between', () => {
    const calibration = { data: 'd', count: 3, k: 1, seed: 0, quantiles: { p: [0, 0.5, 1], negElbo: [0, 1, 2], nll: [10, 20, 40] } };
    expect(Array.from(scorePercentiles(calibration, 'nll', [5, 10, 15, 20, 30, 40, 50]))).toEqual([0, 0, 25, 50, 75, 100, 100]);
    expect(thrown(() => scorePercentiles(calibration, 'nllComplexity', [1])).message).toMatch(/has no 'nllComplexity' quantiles: recalibrate with `vaekit calibrate/);
  });
});
