/**
 * What a fixed batch dimension costs: batch-256 `vae.decode` of models/mnist-mlp's decoder
 * (MLP 20-400-784, Bernoulli) as shipped (symbolic batch `N`) against the same graph with its batch
 * fixed to 1 (what torch.onnx.export writes without `dynamic_axes`), which the SDK runs as 256
 * one-row ONNX Runtime calls. onnxruntime-node, cpu, the same latents for both; the outputs are
 * checked to agree first. One timed run per model after a warm-up, as asked of a quick figure.
 * `npx tsx bench/fixed-batch.ts [--batch N] [--threads N]`
 *
 * Prints one JSON line, then a table.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VaeManifest } from '../src/manifest/schema.js';
import { ortNodeBackend } from '../src/runtime/ort-node.js';
import { samplePrior } from '../src/sampler/index.js';
import { Vae } from '../src/vae/vae.js';
import { fixBatch, withGraphs } from '../test/vae/tiny-models.js';
import { option } from './options.js';

const BATCH = option('batch', 256);
const THREADS = option('threads', 0, { min: 0 });

const MODEL = fileURLToPath(new URL('../models/mnist-mlp', import.meta.url));
const manifest = JSON.parse(readFileSync(join(MODEL, 'vaekit.json'), 'utf8')) as VaeManifest;
const read = (file: string) => new Uint8Array(readFileSync(join(MODEL, file)));
const shipped = { manifest, encoder: read(manifest.graphs.encoder.file), decoder: read(manifest.graphs.decoder.file) };
const fixed = await withGraphs(shipped, { encoder: fixBatch(shipped.encoder, 1), decoder: fixBatch(shipped.decoder, 1) });

const options = { runtime: ortNodeBackend, device: 'cpu' as const, threads: THREADS };
const models = { symbolic: await Vae.load(shipped, options), 'fixed batch 1': await Vae.load(fixed, options) };
const z = samplePrior(BATCH, manifest.latentDim, { seed: 1 });

// Same numbers first: a fast wrong answer is no answer.
const [a, b] = [await models.symbolic.decode(z), await models['fixed batch 1'].decode(z)];
let maxAbsDiff = 0;
for (let i = 0; i < a.mean.data.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a.mean.data[i]! - b.mean.data[i]!));
if (maxAbsDiff > 1e-6) throw new Error(`the fixed-batch decoder disagrees with the shipped one: max |Δmean| = ${maxAbsDiff}`);

const rows = [];
for (const [name, vae] of Object.entries(models)) {
  await vae.decode(z); // warm-up
  const t0 = performance.now();
  await vae.decode(z);
  const seconds = (performance.now() - t0) / 1000;
  rows.push({ model: name, fixedBatch: vae.info.fixedBatch.decoder, calls: vae.info.fixedBatch.decoder ? Math.ceil(BATCH / vae.info.fixedBatch.decoder) : 1, ms: +(seconds * 1000).toFixed(2), samplesPerSecond: Math.round(BATCH / seconds) });
}
await Promise.all(Object.values(models).map((vae) => vae.dispose()));

const [symbolic, one] = rows as [(typeof rows)[number], (typeof rows)[number]];
const report = {
  bench: 'fixed-batch',
  batch: BATCH,
  threads: THREADS,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  maxAbsDiff,
  symbolicSamplesPerSecond: symbolic.samplesPerSecond,
  fixedBatch1SamplesPerSecond: one.samplesPerSecond,
  slowdown: +(symbolic.samplesPerSecond / one.samplesPerSecond).toFixed(2),
};
console.log(JSON.stringify(report));
console.table(rows);
