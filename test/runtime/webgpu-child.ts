/**
 * Run by ort-node.test.ts in a child process started with the SwiftShader environment
 * (LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=…/vk_swiftshader_icd.json), since Dawn reads
 * them when the process loads Vulkan. Runs the shipped decoder on webgpu (strict: no silent cpu
 * fallback) and on cpu, and prints one JSON line with the comparison and timings.
 */
import { performance } from 'node:perf_hooks';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { LATENT_DIM, loadGraph, maxAbsDiff, seededZ } from './graphs.js';

const N = 64;
try {
  const model = await loadGraph('decoder');
  const z = seededZ(N);
  const warnings: string[] = [];
  let t = performance.now();
  const gpu = await ortNodeBackend.createSession(model, { device: 'webgpu', strict: true, onWarning: (m) => warnings.push(m) });
  const createMs = performance.now() - t;
  t = performance.now();
  const first = await gpu.run({ z: { data: z, dims: [N, LATENT_DIM] } });
  const firstRunMs = performance.now() - t;
  t = performance.now();
  const second = await gpu.run({ z: { data: z, dims: [N, LATENT_DIM] } });
  const secondRunMs = performance.now() - t;
  const cpu = await ortNodeBackend.createSession(model, { device: 'cpu' });
  const ref = await cpu.run({ z: { data: z, dims: [N, LATENT_DIM] } });
  const result = {
    provider: gpu.provider,
    warnings,
    outputs: gpu.outputNames,
    diff: {
      logits: maxAbsDiff(first.logits!.data, ref.logits!.data),
      mean: maxAbsDiff(first.mean!.data, ref.mean!.data),
      repeat: maxAbsDiff(first.mean!.data, second.mean!.data),
    },
    ms: { create: createMs, firstRun: firstRunMs, secondRun: secondRunMs },
  };
  await gpu.release();
  await cpu.release();
  console.log(JSON.stringify(result));
} catch (e) {
  const err = e as { code?: string; message?: string };
  console.log(JSON.stringify({ error: { code: err.code ?? null, message: String(err.message ?? e) } }));
  process.exitCode = 1;
}
