/** The shipped graphs and seeded inputs, without vitest: also imported by webgpu-child.ts. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillStandardNormal } from '../../src/sampler/index.js';

export const MODEL_DIR = fileURLToPath(new URL('../../models/mnist-mlp/', import.meta.url));
export const LATENT_DIM = 20;

export function graphPath(graph: 'encoder' | 'decoder'): string {
  return join(MODEL_DIR, `${graph}.onnx`);
}

export async function loadGraph(graph: 'encoder' | 'decoder'): Promise<Uint8Array> {
  return new Uint8Array(await readFile(graphPath(graph)));
}

/** n latent rows of seeded standard normals (the SDK's own sampler). */
export function seededZ(n: number, seed = 7): Float32Array {
  return fillStandardNormal(new Float32Array(n * LATENT_DIM), { seed, stream: 3 });
}

/** max |a − b|; NaN when the lengths differ or a value is not finite. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return NaN;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i]! - b[i]!);
    if (!Number.isFinite(x)) return NaN;
    d = Math.max(d, x);
  }
  return d;
}
