/**
 * `importVae` on real PyTorch exports (test/fixtures/pytorch-import, made by make_fixtures.py with
 * Debian's python3-torch): the manifest it infers, PyTorch's own outputs reproduced, every Vae
 * method working through the SDK — in onnxruntime-node and in onnxruntime-web's wasm build — and
 * a failed comparison reported as failed.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importVae } from '../../../export/import/import-vae.js';
import { ortNodeBackend } from '../../../src/runtime/ort-node.js';
import { ortWebNodeBackend } from '../../../src/runtime/ort-web-node.js';
import { Vae } from '../../../src/vae/vae.js';
import { rejected } from '../../helpers/thrown.js';
import { FIXTURES, readGraphs, readReference } from './reference.js';

const CASES = [
  { fixture: 'conv-nchw-logits', layout: 'chw', shape: [1, 28, 28], outputs: { logits: 'logits' }, ignored: [], fixedBatch: [null, null] },
  { fixture: 'mlp-fixed-batch', layout: 'features', shape: [784], outputs: { mean: 'recon' }, ignored: [], fixedBatch: [1, 1] },
  { fixture: 'mlp-extra-output', layout: 'features', shape: [784], outputs: { mean: 'x_decoded_mean' }, ignored: ['z'], fixedBatch: [null, null] },
] as const;

describe.each(CASES)('importVae($fixture)', ({ fixture, layout, shape, outputs, ignored, fixedBatch }) => {
  it.each([
    ['onnxruntime-node', ortNodeBackend],
    ['onnxruntime-web (Node)', ortWebNodeBackend],
  ])('infers the manifest and passes every check on %s', async (_name, backend) => {
    const graphs = await readGraphs(join(FIXTURES, fixture));
    const imported = await importVae({ ...graphs, name: fixture, backend, reference: await readReference(fixture) });
    expect(imported.checks.filter((c) => !c.passed)).toEqual([]);
    expect(imported.passed).toBe(true);
    expect(imported.manifest).toMatchObject({ name: fixture, latentDim: 8, input: { layout, shape, range: [0, 1] }, likelihood: { kind: 'bernoulli' }, producer: { name: 'pytorch' } });
    expect(imported.manifest.graphs.decoder.outputs).toEqual(outputs);
    expect(imported.decisions.filter((d) => d.what === 'encoder outputs ignored').map((d) => d.value)).toEqual(ignored.map((n) => `'${n}'`));
    expect([imported.decisions.find((d) => d.what === 'encoder batch')!.value.startsWith('fixed'), imported.decisions.find((d) => d.what === 'decoder batch')!.value.startsWith('fixed')]).toEqual(fixedBatch.map((b) => b !== null));
    // Reference rows compared for every output with a reference file, and the SDK's own results too.
    expect(imported.checks.filter((c) => c.check.includes('.npy')).length).toBeGreaterThanOrEqual(4);
  });

  it('loads from the imported manifest with every Vae method, the fixed batch said in vae.info', async () => {
    const graphs = await readGraphs(join(FIXTURES, fixture));
    const { manifest } = await importVae({ ...graphs, name: fixture, backend: ortNodeBackend });
    const vae = await Vae.load({ manifest, ...graphs }, { runtime: ortNodeBackend });
    try {
      const { mean } = await vae.sample(300, { seed: 2 });
      expect(mean.shape).toEqual([300, ...shape]);
      const { mu } = await vae.encode(mean);
      expect(mu.shape).toEqual([300, 8]);
      expect((await vae.logLikelihood({ data: mean.data.subarray(0, 3 * mean.data.length / 300), shape: [3, ...shape] }, { k: 4 })).perExample.every(Number.isFinite)).toBe(true);
      expect(vae.info.fixedBatch).toEqual({ encoder: fixedBatch[0], decoder: fixedBatch[1] });
    } finally {
      await vae.dispose();
    }
  });
});

describe('importVae refusals', () => {
  it('reports a reference the graphs do not reproduce as a failed check', async () => {
    const fixture = 'mlp-extra-output';
    const reference = await readReference(fixture);
    const wrong = Float32Array.from(reference.encoder['z_mean']!.data, (v) => v + 0.01);
    reference.encoder['z_mean'] = { ...reference.encoder['z_mean']!, data: wrong };
    const imported = await importVae({ ...(await readGraphs(join(FIXTURES, fixture))), name: fixture, backend: ortNodeBackend, reference });
    expect(imported.passed).toBe(false);
    expect(imported.checks.filter((c) => !c.passed).map((c) => c.check)).toEqual(["output 'z_mean' vs reference/encoder/z_mean.npy (8 rows)", 'encode → μ vs z_mean.npy']);
  });

  it('asks which output is μ for PyTorch names that do not say, and names reference files that match no tensor', async () => {
    const folder = fileURLToPath(new URL('../../fixtures/pytorch-vae/', import.meta.url));
    const graphs = await readGraphs(folder);
    const error = await rejected(importVae({ ...graphs, name: 'pytorch-vae', backend: ortNodeBackend }));
    expect(error.message).toMatch(/cannot tell which encoder output is μ .* pass 'mu' and 'logvar'/);
    const ok = await importVae({ ...graphs, name: 'pytorch-vae', backend: ortNodeBackend, mu: 'fc21_out', logvar: 'fc22_out' });
    expect(ok.passed).toBe(true);
    const stray = await rejected(importVae({ ...graphs, name: 'pytorch-vae', backend: ortNodeBackend, mu: 'fc21_out', logvar: 'fc22_out', reference: { encoder: { nope: { data: new Float32Array(1), dims: [1] } } } }));
    expect(stray.message).toMatch(/reference\/encoder\/ holds nope\.npy, which name no encoder input or output/);
  });
});
