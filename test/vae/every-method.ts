/**
 * Runs every Vae method on one model with fixed seeds, so two variants of a model (another layout,
 * logits only, a fixed batch) can be compared number by number.
 */
import { expect } from 'vitest';
import type { RuntimeBackend } from '../../src/runtime/backend.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { ortWebNodeBackend } from '../../src/runtime/ort-web-node.js';
import type { Vae } from '../../src/vae/vae.js';

/** Both runtimes the Node SDK can run on. */
export const RUNTIMES: [string, RuntimeBackend][] = [
  ['onnxruntime-node', ortNodeBackend],
  ['onnxruntime-web', ortWebNodeBackend],
];

/** A result: `image` values are [N, …input.shape] in the model's layout. */
export interface Outcome {
  data: Float32Array | Float64Array;
  shape: number[];
  image: boolean;
}

/** n seeded examples in [0, 1] of `features` values each. */
export function examples(n: number, features: number, seed = 11): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * features }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  });
}

/** Every method's numbers for n examples `x` (given in the model's layout). */
export async function everyMethod(vae: Vae, x: Float32Array, n: number): Promise<Record<string, Outcome>> {
  const J = vae.latentDim;
  const shape = [n, ...vae.inputShape];
  const out: Record<string, Outcome> = {};
  const image = (name: string, t: { data: Float32Array; shape: number[] }) => (out[name] = { ...t, image: true });
  const plain = (name: string, data: Float32Array | Float64Array, dims: number[]) => (out[name] = { data, shape: dims, image: false });
  const encoded = await vae.encode({ data: x, shape }, { sample: true, seed: 1 });
  plain('encode.mu', encoded.mu.data, encoded.mu.shape);
  plain('encode.logvar', encoded.logvar.data, encoded.logvar.shape);
  plain('encode.z', encoded.z!.data, encoded.z!.shape);
  const decoded = await vae.decode(encoded.mu);
  image('decode.mean', decoded.mean);
  if (decoded.logits) image('decode.logits', decoded.logits);
  image('decode.meanOnly', (await vae.decode(encoded.mu, { meanOnly: true })).mean);
  const sampled = await vae.sample(n, { seed: 2 });
  image('sample.mean', sampled.mean);
  plain('sample.z', sampled.z.data, sampled.z.shape);
  image('reconstruct', await vae.reconstruct(x));
  image('reconstruct.sampled', await vae.reconstruct(x, { sample: true, seed: 5 }));
  const a = encoded.mu.data.subarray(0, J);
  const b = sampled.z.data.subarray(0, J);
  image('interpolate', (await vae.interpolate(a, b, n, { method: 'slerp' })).mean);
  image('grid', (await vae.grid([a, b, b.map((v) => -v), a.map((v) => v / 2)], 1, n)).mean);
  image('traverse', (await vae.traverse(a, J - 1, Array.from({ length: n }, (_, i) => i / n - 0.5))).mean);
  const elbo = await vae.elbo(x, { seed: 3 });
  plain('elbo', elbo.perExample, [n]);
  plain('elbo.kl', elbo.kl, [n]);
  plain('logLikelihood', (await vae.logLikelihood(x, { k: 3, seed: 4, batchSize: 7 })).perExample, [n]);
  return out;
}

/** Every entry of `expected` has the same shape and values within `tolerance`·max(1, |value|) in `found`. */
export function expectSameNumbers(found: Record<string, Outcome>, expected: Record<string, Outcome>, tolerance: number): void {
  expect(Object.keys(found).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = found[name]!;
    expect(got.shape, name).toEqual(want.shape);
    expect(got.data.length, name).toBe(want.data.length);
    let worst = 0;
    for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i]! - want.data[i]!) / Math.max(1, Math.abs(want.data[i]!)));
    expect(worst, `${name}: largest difference`).toBeLessThanOrEqual(tolerance);
  }
}
