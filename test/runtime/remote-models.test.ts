/**
 * The remote runtime with the fixture models of other kinds, served by one real `vaekit serve`: a
 * conditional conv VAE (the condition `c` is an input of both graphs) and an MLP with a learned
 * Gaussian likelihood (the decoder's `logvar_x` output), each method against the local Vae.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae, VaekitError } from '../../src/node.js';
import type { VaeServer } from '../../src/serve/server.js';
import { ROOT, startServer } from '../serve/serve-helpers.js';

const MODELS = ['conv-cvae', 'mlp-gaussian-learned'];
let server: VaeServer;
let url: string;

beforeAll(async () => {
  ({ server, url } = await startServer({ models: MODELS.map((m) => `${ROOT}test/fixtures/models/${m}`) }));
});
afterAll(async () => {
  await server?.close();
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const digits = (n: number) => ({ data: Float32Array.from({ length: n * 784 }, (_, i) => (((i * 7919) % 1000) / 1000 > 0.7 ? 1 : 0)), shape: [n, 28, 28, 1] });

describe.each(MODELS)('Vae.connect to %s', (name) => {
  let local: Vae;
  let remote: Vae;
  beforeAll(async () => {
    local = await Vae.load(`${ROOT}test/fixtures/models/${name}`);
    remote = await Vae.connect(url, { model: name });
  });
  afterAll(async () => {
    await Promise.all([local?.dispose(), remote?.dispose()]);
  });
  const c = (n: number) => (name === 'conv-cvae' ? Array.from({ length: n }, (_, i) => i % 10) : undefined);

  it('samples, decodes and encodes as the local Vae', async () => {
    const [a, b] = [await remote.sample(6, { seed: 42, c: c(6) }), await local.sample(6, { seed: 42, c: c(6) })];
    expect(maxDiff(a.mean.data, b.mean.data)).toBeLessThan(1e-5);
    if (b.logvarX) expect(maxDiff(a.logvarX!.data, b.logvarX.data)).toBeLessThan(1e-5);
    const x = digits(5);
    const [e1, e2] = [await remote.encode(x, { c: c(5) }), await local.encode(x, { c: c(5) })];
    expect(maxDiff(e1.mu.data, e2.mu.data)).toBeLessThan(1e-5);
    expect(maxDiff((await remote.reconstruct(x, { c: c(5) })).data, (await local.reconstruct(x, { c: c(5) })).data)).toBeLessThan(1e-5);
  });

  it('scores as the local Vae', async () => {
    const x = digits(8);
    const [a, b] = [await remote.elbo(x, { seed: 2, c: c(8) }), await local.elbo(x, { seed: 2, c: c(8) })];
    expect(maxDiff(a.perExample, b.perExample)).toBeLessThan(1e-3);
    const [l1, l2] = [await remote.logLikelihood(x, { k: 64, seed: 3, c: c(8) }), await local.logLikelihood(x, { k: 64, seed: 3, c: c(8) })];
    expect(maxDiff(l1.perExample, l2.perExample)).toBeLessThan(1e-3);
  });

  it('refuses a missing condition before any request, as the local Vae does', async () => {
    if (name !== 'conv-cvae') return;
    const error = await remote.sample(2).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(VaekitError);
    expect((error as VaekitError).code).toBe('condition-mismatch');
  });
});

it('refuses the manifest of one model for the graphs of another: invalid-manifest', async () => {
  const cvae = await Vae.load(`${ROOT}test/fixtures/models/conv-cvae`);
  try {
    const error = await Vae.connect(url, { model: 'mlp-gaussian-learned', manifest: cvae.manifest }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(VaekitError);
    expect((error as VaekitError).code).toBe('invalid-manifest');
  } finally {
    await cvae.dispose();
  }
});

it('stops connecting when its signal aborts: aborted', async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await Vae.connect(url, { model: 'conv-cvae', signal: controller.signal }).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(VaekitError);
  expect((error as VaekitError).code).toBe('aborted');
});

describe("the server metadata check (Triton's names and fixed batches)", async () => {
  const { readFileSync } = await import('node:fs');
  const { parseManifest } = await import('../../src/manifest/index.js');
  const { checkMetadata } = await import('../../src/runtime/remote-session.js');
  const manifest = () => {
    const m = parseManifest(readFileSync(`${ROOT}models/mnist-mlp/vaekit.json`, 'utf8'));
    m.graphs.encoder.inputs['x'] = 'input.1';
    m.graphs.encoder.outputs['mu'] = 'mu_out';
    return m;
  };
  const tensor = (name: string, shape: number[], datatype = 'FP32') => ({ name, datatype, shape });
  const triton = () => ({
    inputs: [tensor('input.1', [1, 28, 28, 1])],
    outputs: [tensor('mu_out', [1, 20]), tensor('logvar', [1, 20]), tensor('z', [1, 20])],
  });

  it('maps graph names as Triton serves them and reads a fixed batch', () => {
    const checked = checkMetadata(manifest(), 'encoder', triton(), 'mnist-mlp-encoder');
    expect([...checked.names]).toEqual([['input.1', 'input.1'], ['mu_out', 'mu_out'], ['logvar', 'logvar']]);
    expect(checked.fixedBatch).toBe(1);
  });

  it('refuses another datatype, another shape or an input the manifest does not know: invalid-manifest', () => {
    const cases = [
      { ...triton(), inputs: [tensor('input.1', [-1, 28, 28, 1], 'FP16')] },
      { ...triton(), outputs: [tensor('mu_out', [-1, 16]), tensor('logvar', [-1, 20])] },
      { ...triton(), inputs: [tensor('input.1', [-1, 28, 28, 1]), tensor('mask', [-1, 28, 28, 1])] },
    ];
    for (const metadata of cases) {
      const error = (() => {
        try {
          checkMetadata(manifest(), 'encoder', metadata, 'mnist-mlp-encoder');
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(VaekitError);
      expect((error as VaekitError).code).toBe('invalid-manifest');
    }
  });
});
