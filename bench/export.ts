/**
 * Export cost of the default model (MLP 784-400-20, Bernoulli): conversion to ONNX, verification
 * in onnxruntime-node against tfjs on 64 real test digits, graph sizes against parameters × 4
 * bytes, and fp16 beside fp32. Prints JSON, then a table. `npx tsx bench/export.ts`
 */
import { exportVae } from '../export/export-vae.js';
import { ortNodeBackend } from '../src/runtime/ort-node.js';
import { selectBackend } from '../src/train/backend/select-backend.js';
import { resolveTrainConfig } from '../src/train/config.js';
import { gatherRows } from '../src/train/data/dataset.js';
import { loadEmbeddedMnist } from '../src/train/data/mnist-embedded.js';
import { buildVae } from '../src/train/model/build.js';

const backend = await selectBackend('wasm');
const config = resolveTrainConfig({});
const mnist = await loadEmbeddedMnist();
const rows = gatherRows(mnist.test, 784, Array.from({ length: 64 }, (_, i) => i * 15));
const models = buildVae(config.architecture, { inputShape: mnist.shape, likelihood: config.likelihood, valueRange: [0, 1], seed: 1 });
const options = {
  name: 'bench', input: { shape: mnist.shape, layout: 'hwc' as const, range: [0, 1] as [number, number], scaling: null },
  latentDim: 20, likelihood: config.likelihood, producerVersion: 'bench', verify: { backend: ortNodeBackend, rows },
};

await exportVae(models, options); // warm-up: onnxruntime and the wasm kernels load once
const results = [];
for (const precision of ['fp32', 'fp16'] as const) {
  const start = performance.now();
  const exported = await exportVae(models, { ...options, precision });
  const seconds = (performance.now() - start) / 1000;
  const graphs = exported.manifest.graphs;
  const params = graphs.encoder.parameters + graphs.decoder.parameters;
  const bytes = graphs.encoder.bytes + graphs.decoder.bytes;
  const cost = exported.precisionCost ?? exported.verification!;
  results.push({
    precision,
    exportAndVerifySeconds: Math.round(seconds * 1000) / 1000,
    bytes,
    parameters: params,
    bytesPerParameter: Math.round((bytes / params) * 1000) / 1000,
    overheadVsRawWeightsPercent: Math.round((bytes / (params * (precision === 'fp32' ? 4 : 2)) - 1) * 10000) / 100,
    verified: exported.verification!.passed,
    maxAbsDiffMeanVsFp32Tfjs: Math.max(...cost.rows.filter((r) => r.output === 'mean').map((r) => r.maxAbsDiff)),
  });
}
console.log(JSON.stringify({ benchmark: 'export', model: 'MLP 784-400-20, bernoulli', tfjsBackend: backend.name, results }, null, 2));
console.table(results);
