/**
 * Graphs exported without dynamic axes fix their batch dimension (x [1, 784]): the SDK runs every
 * request in chunks of exactly that size, so every method works and gives the numbers of the same
 * weights with a symbolic batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSession, RuntimeBackend } from '../../src/runtime/backend.js';
import { Vae } from '../../src/vae/vae.js';
import { rejected } from '../helpers/thrown.js';
import { RUNTIMES, everyMethod, examples, expectSameNumbers } from './every-method.js';
import { D, J, fixBatch, tinyModel, withGraphs } from './tiny-models.js';

/** The runtime, recording the batch dimension of every run's first input. */
function recording(runtime: RuntimeBackend, rows: number[]): RuntimeBackend {
  return {
    ...runtime,
    createSession: async (model, options) => {
      const session = await runtime.createSession(model, options);
      const run: GraphSession['run'] = (feeds, outputs) => {
        rows.push(Object.values(feeds)[0]!.dims[0]!);
        return session.run(feeds, outputs);
      };
      return Object.assign(Object.create(session) as GraphSession, { run });
    },
  };
}

describe.each(RUNTIMES)('fixed batch sizes on %s', (_name, runtime) => {
  let symbolic: Vae;
  let one: Vae;
  let four: Vae;
  const rows: number[] = [];

  beforeAll(async () => {
    symbolic = await Vae.load(await tinyModel(), { runtime, device: 'cpu' });
    one = await Vae.load(await tinyModel({ batch: 1 }), { runtime, device: 'cpu' });
    four = await Vae.load(await tinyModel({ batch: 4 }), { runtime: recording(runtime, rows), device: 'cpu' });
  });

  afterAll(async () => {
    await Promise.all([symbolic.dispose(), one.dispose(), four.dispose()]);
  });

  it('reads each graph’s batch size at load', () => {
    expect(one.info.fixedBatch).toEqual({ encoder: 1, decoder: 1 });
    expect(four.info.fixedBatch).toEqual({ encoder: 4, decoder: 4 });
    expect(symbolic.info.fixedBatch).toEqual({ encoder: null, decoder: null });
  });

  it.each([1, 5, 300])('a batch-1 model gives every method the symbolic model’s numbers for n = %i', async (n) => {
    const x = examples(n, D);
    expectSameNumbers(await everyMethod(one, x, n), await everyMethod(symbolic, x, n), 1e-6);
  });

  it.each([1, 5, 300])('a batch-4 model (padded chunks) gives them too for n = %i', async (n) => {
    const x = examples(n, D);
    expectSameNumbers(await everyMethod(four, x, n), await everyMethod(symbolic, x, n), 1e-6);
  });

  it('feeds ONNX Runtime exactly the fixed batch, padding the last chunk', async () => {
    rows.length = 0;
    const { mean } = await four.sample(9);
    expect(mean.shape[0]).toBe(9);
    expect(rows).toEqual([4, 4, 4]);
  });

  it('runs an encoder and a decoder that fix different sizes (or none)', async () => {
    const base = await tinyModel();
    const mixed = await Vae.load(await withGraphs(base, { encoder: fixBatch(base.encoder, 2) }), { runtime, device: 'cpu' });
    try {
      expect(mixed.info.fixedBatch).toEqual({ encoder: 2, decoder: null });
      const x = examples(5, D);
      expectSameNumbers(await everyMethod(mixed, x, 5), await everyMethod(symbolic, x, 5), 1e-6);
    } finally {
      await mixed.dispose();
    }
  });

  it('still refuses a graph whose feature dimension disagrees with the manifest', async () => {
    const model = await tinyModel({ batch: 1 });
    const lying = { ...model, manifest: { ...model.manifest, latentDim: J + 1 } };
    const error = await rejected(Vae.load(lying, { runtime }));
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toContain(`encoder.onnx output 'mu' (graphs.encoder.outputs.mu) has ${J} values per example (shape [1, ${J}]); the manifest's latentDim ${J + 1} says ${J + 1}`);
  });
});
