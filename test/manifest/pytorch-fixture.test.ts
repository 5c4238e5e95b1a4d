import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type VaeManifest } from '../../src/manifest/index.js';
import { PYTORCH_FOLDER, PYTORCH_TEXT } from './manifests.js';

// test/fixtures/pytorch-vae: a VAE exported by torch.onnx.export under PyTorch's own names, with
// PyTorch's outputs for a few rows (make_fixture.py). The manifest's name maps must lead ONNX
// Runtime to the same numbers, and the graphs must keep the contract's shapes.
interface Reference {
  torch: string;
  x: number[][];
  mu: number[][];
  logvar: number[][];
  z: number[][];
  recon: number[][];
}

let manifest: VaeManifest;
let reference: Reference;
const sessions: Partial<Record<'encoder' | 'decoder', ort.InferenceSession>> = {};

beforeAll(async () => {
  manifest = parseManifest(PYTORCH_TEXT);
  reference = JSON.parse(await readFile(`${PYTORCH_FOLDER}reference.json`, 'utf8'));
  for (const role of ['encoder', 'decoder'] as const) {
    sessions[role] = await ort.InferenceSession.create(await readFile(`${PYTORCH_FOLDER}${manifest.graphs[role].file}`), { executionProviders: ['cpu'] });
  }
});

afterAll(async () => {
  await sessions.encoder?.release();
  await sessions.decoder?.release();
});

const tensor = (rows: number[][]) => new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0]!.length]);

/** Largest |ORT − torch| over all rows. */
function maxAbsDiff(found: ort.Tensor, expected: number[][]): number {
  expect(found.dims).toEqual([expected.length, expected[0]!.length]);
  const data = found.data as Float32Array;
  return Math.max(...expected.flat().map((v, i) => Math.abs(data[i]! - v)));
}

describe('PyTorch fixture', () => {
  it('is small, with distinct, non-trivial reference rows', () => {
    expect(reference.x).toHaveLength(4);
    expect(reference.x[0]).toHaveLength(manifest.input.shape[0]!);
    expect(reference.z[0]).toHaveLength(manifest.latentDim);
    expect(Math.max(...reference.x.flat())).toBeGreaterThan(0.5);
    expect(new Set(reference.mu.map((r) => r.join())).size).toBe(4);
  });

  it('names exactly the graphs’ inputs and outputs in its manifest', () => {
    const { encoder, decoder } = manifest.graphs;
    expect([...sessions.encoder!.inputNames]).toEqual(Object.values(encoder.inputs));
    expect([...sessions.encoder!.outputNames]).toEqual(Object.values(encoder.outputs));
    expect([...sessions.decoder!.inputNames]).toEqual(Object.values(decoder.inputs));
    expect([...sessions.decoder!.outputNames]).toEqual(Object.values(decoder.outputs));
  });

  it('reproduces PyTorch’s encoder (mu, logvar) and decoder (sigmoid mean) within 1e-5 in onnxruntime-node', async () => {
    const { encoder, decoder } = manifest.graphs;
    const encoded = await sessions.encoder!.run({ [encoder.inputs['x']!]: tensor(reference.x) });
    const decoded = await sessions.decoder!.run({ [decoder.inputs['z']!]: tensor(reference.z) });
    const diffs = {
      mu: maxAbsDiff(encoded[encoder.outputs['mu']!]!, reference.mu),
      logvar: maxAbsDiff(encoded[encoder.outputs['logvar']!]!, reference.logvar),
      mean: maxAbsDiff(decoded[decoder.outputs['mean']!]!, reference.recon),
    };
    console.log(`ORT vs torch ${reference.torch}, max |diff|:`, diffs);
    for (const diff of Object.values(diffs)) expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('runs any batch size (the batch axis is symbolic)', async () => {
    const { decoder } = manifest.graphs;
    const one = await sessions.decoder!.run({ [decoder.inputs['z']!]: tensor(reference.z.slice(2, 3)) });
    expect(maxAbsDiff(one[decoder.outputs['mean']!]!, reference.recon.slice(2, 3))).toBeLessThanOrEqual(1e-5);
  });
});
