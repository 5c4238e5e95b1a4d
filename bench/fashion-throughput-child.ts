/**
 * One row of bench/fashion-throughput.ts, in a process of its own so that its peak RSS is its own:
 * trains the default `--arch <model>` VAE (Bernoulli, Adam 1e-3, batch 128) on real Fashion-MNIST
 * batches on `--backend`, and prints one JSON line.
 * `npx tsx bench/fashion-throughput-child.ts --model mlp|conv --backend wasm|cpu --steps N [--warmup N]`
 */
import * as tf from '@tensorflow/tfjs-core';
import { NormalSampler } from '../src/sampler/index.js';
import { selectBackend } from '../src/train/backend/select-backend.js';
import { resolveTrainConfig } from '../src/train/config.js';
import { featureCount, gatherRows } from '../src/train/data/dataset.js';
import { loadFashionMnist } from '../src/train/data/fashion-mnist.js';
import { seededPermutation } from '../src/train/data/shuffle.js';
import { buildVae, describeArchitecture } from '../src/train/model/build.js';
import { trainStep, trainableVariables, type StepContext } from '../src/train/objective/train-step.js';
import { choice, option } from './options.js';

const MODEL = choice('model', ['mlp', 'conv'] as const, 'mlp');
const BACKEND = choice('backend', ['wasm', 'cpu'] as const, 'wasm');
const STEPS = option('steps', 50);
const WARMUP = option('warmup', 2, { min: 0 });

const MB = 1024 * 1024;
const backend = await selectBackend(BACKEND); // wasm: with vaekit's kernels
const data = await loadFashionMnist();
const rssAfterData = process.memoryUsage().rss;

const config = resolveTrainConfig({ arch: MODEL });
const features = featureCount(data);
const B = config.batchSize;
const J = config.architecture.latentDim;
const models = buildVae(config.architecture, {
  inputShape: data.shape, likelihood: config.likelihood, valueRange: data.valueRange, seed: 1,
});
const optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8);
const ctx: StepContext = {
  encoder: models.encoder, decoder: models.decoder, optimizer,
  variables: trainableVariables(models.encoder, models.decoder),
  likelihood: config.likelihood, shape: data.shape, latentDim: J, mcSamples: 1, freeBits: 0,
};
const order = seededPermutation(data.train.count, { seed: 1, stream: 1, offset: 0 });
const sampler = new NormalSampler({ seed: 1, stream: 0 });
const x = new Float32Array(B * features);
let cursor = 0;
let objective = NaN;
const step = () => {
  if (cursor + B > order.length) cursor = 0;
  gatherRows(data.train, features, order.subarray(cursor, cursor + B), x);
  cursor += B;
  objective = trainStep(ctx, { x, eps: sampler.next(B * J), n: B, beta: 1 }).objective;
};

for (let i = 0; i < WARMUP; i++) step();
const start = performance.now();
for (let i = 0; i < STEPS; i++) step();
const seconds = (performance.now() - start) / 1000;

const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
console.log(
  JSON.stringify({
    model: describeArchitecture(config.architecture, features),
    arch: MODEL,
    backend: backend.name,
    batchSize: B,
    warmupSteps: WARMUP,
    steps: STEPS,
    samplesPerSec: Math.round((STEPS * B) / seconds),
    msPerStep: Math.round((seconds * 1000) / STEPS),
    finalObjective: Math.round(objective * 100) / 100,
    // maxRSS is the kernel's high-water mark (getrusage, kB) of this process's whole life: data included.
    peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / MB),
    rssAfterDataMB: Math.round(rssAfterData / MB),
    wasmHeapMB: heap === undefined ? null : Math.round(heap / MB),
  }),
);
