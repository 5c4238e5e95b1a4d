/** Reads a fixture's reference/<graph>/<tensor>.npy files as the TensorData importVae takes. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'npyjs';
import type { TensorData } from '../../../src/runtime/backend.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/pytorch-import/', import.meta.url));

export async function readReference(fixture: string): Promise<{ encoder: Record<string, TensorData>; decoder: Record<string, TensorData> }> {
  const out = { encoder: {} as Record<string, TensorData>, decoder: {} as Record<string, TensorData> };
  for (const graph of ['encoder', 'decoder'] as const) {
    const dir = join(FIXTURES, fixture, 'reference', graph);
    for (const file of await readdir(dir)) {
      const bytes = await readFile(join(dir, file));
      const array = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      out[graph][file.replace(/\.npy$/, '')] = { data: array.data as Float32Array, dims: array.shape };
    }
  }
  return out;
}

export async function readGraphs(folder: string): Promise<{ encoder: Uint8Array; decoder: Uint8Array }> {
  return { encoder: await readFile(join(folder, 'encoder.onnx')), decoder: await readFile(join(folder, 'decoder.onnx')) };
}
