/**
 * Node runners through the SDK: onnxruntime-node (cpu here; webgpu in a child process, see
 * webgpu-child.ts) and onnxruntime-web's Node build (wasm), each a `Vae.load` and the shared
 * conformance computation.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ortNodeBackend } from '../../../src/runtime/ort-node.js';
import { ortWebBackend } from '../../../src/runtime/ort-web.js';
import { Vae } from '../../../src/index.js';
import { DIGITS, runConformance, type ConformanceInput, type ConformanceResult } from '../conformance.js';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import type { GoldenVectors } from '../../../src/sampler/index.js';

export const MODEL_DIR = fileURLToPath(new URL('../../../models/mnist-mlp/', import.meta.url));
export const GOLDEN_FILE = fileURLToPath(new URL('../../sampler/golden-vectors.json', import.meta.url));

/** The suite's inputs: DIGITS real test digits, evenly spaced over the test split, and the golden vectors. */
export async function loadConformanceInput(): Promise<ConformanceInput & { indices: number[]; testCount: number }> {
  const { test } = await loadEmbeddedMnist();
  const pixels = test.x.length / test.count;
  const indices = Array.from({ length: DIGITS }, (_, i) => Math.round((i * (test.count - 1)) / (DIGITS - 1)));
  const x: number[] = [];
  for (const i of indices) x.push(...test.x.subarray(i * pixels, (i + 1) * pixels));
  const golden = JSON.parse(await readFile(GOLDEN_FILE, 'utf8')) as GoldenVectors;
  return { x, golden, indices, testCount: test.count };
}

/** onnxruntime-node, device cpu, strict: the reference runtime. */
export async function runOrtNode(input: ConformanceInput, device: 'cpu' | 'webgpu'): Promise<ConformanceResult> {
  const warnings: string[] = [];
  const started = performance.now();
  const vae = await Vae.load(MODEL_DIR, { runtime: ortNodeBackend, device, strict: true, onWarning: (m) => warnings.push(m) });
  const loadMs = performance.now() - started;
  try {
    return await runConformance(vae, input, warnings, { loadMs });
  } finally {
    await vae.dispose();
  }
}

/** onnxruntime-web's Node build, device wasm (one thread: Node is not cross-origin isolated). */
export async function runOrtWebNode(input: ConformanceInput, serverUrl: string): Promise<ConformanceResult> {
  const warnings: string[] = [];
  const started = performance.now();
  const vae = await Vae.load(new URL('models/mnist-mlp/', serverUrl), { runtime: ortWebBackend, device: 'wasm', strict: true, onWarning: (m) => warnings.push(m) });
  const loadMs = performance.now() - started;
  try {
    return await runConformance(vae, input, warnings, { loadMs });
  } finally {
    await vae.dispose();
  }
}
