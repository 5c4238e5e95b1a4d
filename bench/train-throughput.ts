/**
 * Training throughput of the default VAE (MLP 784-400-20, Bernoulli, Adam 1e-3, batch 128) on
 * real MNIST batches, with tfjs-backend-wasm's stock kernels, with vaekit's kernels, and with vaekit's
 * kernels but its matrix products on XNNPACK and tfjs' Sum and Identity (vaekit before its heap
 * kernels), interleaved in one process so all see the same machine (bench/kernel-settings.ts). Prints JSON, then a table.
 * The AAE row runs its three phases per batch on the same kernels, for the AAE-to-VAE ratio.
 * `npx tsx bench/train-throughput.ts [--batches N] [--rounds N] [--cpu-batches N]`
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpus } from 'node:os';
import { NormalSampler } from '../src/sampler/index.js';
import { selectBackend } from '../src/train/backend/select-backend.js';
import { resolveTrainConfig } from '../src/train/config.js';
import { featureCount, gatherRows } from '../src/train/data/dataset.js';
import { loadEmbeddedMnist } from '../src/train/data/mnist-embedded.js';
import { seededPermutation } from '../src/train/data/shuffle.js';
import { buildVae } from '../src/train/model/build.js';
import { trainStep, trainableVariables, type StepContext } from '../src/train/objective/train-step.js';
import { adversarialAdam, adversarialStep, createAdversarialContext, type AdversarialContext } from '../src/train/objective/adversarial-step.js';
import { buildDiscriminator } from '../src/train/model/discriminator.js';
import { useKernels } from './kernel-settings.js';
import { option } from './options.js';

const BATCHES = option('batches', 30);
const ROUNDS = option('rounds', 3);
const CPU_BATCHES = option('cpu-batches', 4);

const config = resolveTrainConfig({});
const mnist = await loadEmbeddedMnist();
const features = featureCount(mnist);
const J = config.architecture.latentDim;
const B = config.batchSize;
const order = seededPermutation(mnist.train.count, { seed: 1, stream: 1, offset: 0 });

/** A fresh model and optimizer(s) on the current backend, and a function timing `n` steps (VAE, or AAE's three phases). */
function makeStepper(objective: 'elbo' | 'aae' = 'elbo') {
  const models = buildVae(config.architecture, {
    inputShape: mnist.shape, likelihood: config.likelihood, valueRange: mnist.valueRange, seed: 1,
  });
  const optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8);
  const ctx: StepContext = {
    encoder: models.encoder, decoder: models.decoder, optimizer,
    variables: trainableVariables(models.encoder, models.decoder),
    likelihood: config.likelihood, shape: mnist.shape, latentDim: J, mcSamples: 1, freeBits: 0,
  };
  const discriminator = objective === 'aae' ? buildDiscriminator(J, 1) : null;
  const adversarialOptimizers = discriminator ? [adversarialAdam(config.adversarialLearningRate), adversarialAdam(config.adversarialLearningRate)] : [];
  const adversarial: AdversarialContext | null = discriminator
    ? createAdversarialContext({
        encoder: models.encoder, discriminator, discriminatorOptimizer: adversarialOptimizers[0]!, generatorOptimizer: adversarialOptimizers[1]!,
        shape: mnist.shape, latentDim: J,
      })
    : null;
  const sampler = new NormalSampler({ seed: 1, stream: 0 });
  let cursor = 0;
  const x = new Float32Array(B * features);
  const step = () => {
    if (cursor + B > order.length) cursor = 0;
    gatherRows(mnist.train, features, order.subarray(cursor, cursor + B), x);
    cursor += B;
    trainStep(ctx, { x, eps: sampler.next(B * J), n: B, beta: adversarial ? 0 : 1 });
    if (adversarial) adversarialStep(adversarial, { x, n: B, eps: sampler.next(B * J), prior: sampler.next(B * J) });
  };
  return {
    samplesPerSec(n: number): number {
      const start = performance.now();
      for (let i = 0; i < n; i++) step();
      return (n * B) / ((performance.now() - start) / 1000);
    },
    warmUp: () => step(),
    dispose() {
      optimizer.dispose();
      for (const o of adversarialOptimizers) o.dispose();
      discriminator?.dispose();
      models.encoder.dispose();
      models.decoder.dispose();
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const backend = await selectBackend('wasm'); // installs vaekit's kernels
const useStockKernels = () => useKernels('stock');
const useVaekitKernels = () => useKernels('vaekit');
const useXnnpackProducts = () => useKernels('xnnpack-products');

const stock: number[] = [];
const fixed: number[] = [];
const xnn: number[] = [];
const aae: number[] = [];
const stockStepper = makeStepper();
const fixedStepper = makeStepper();
const xnnStepper = makeStepper();
const aaeStepper = makeStepper('aae');
useStockKernels();
stockStepper.warmUp();
useXnnpackProducts();
xnnStepper.warmUp();
useVaekitKernels();
fixedStepper.warmUp();
aaeStepper.warmUp();
for (let r = 0; r < ROUNDS; r++) {
  useStockKernels();
  stock.push(stockStepper.samplesPerSec(Math.max(3, Math.round(BATCHES / 4)))); // stock is slow
  useXnnpackProducts();
  xnn.push(xnnStepper.samplesPerSec(BATCHES));
  useVaekitKernels();
  fixed.push(fixedStepper.samplesPerSec(BATCHES));
  aae.push(aaeStepper.samplesPerSec(BATCHES));
}
stockStepper.dispose();
fixedStepper.dispose();
xnnStepper.dispose();
aaeStepper.dispose();

await selectBackend('cpu');
const cpuStepper = makeStepper();
cpuStepper.warmUp();
const cpuRate = cpuStepper.samplesPerSec(CPU_BATCHES);
cpuStepper.dispose();

const round = (x: number) => Math.round(x);
const report = {
  benchmark: 'train-throughput',
  model: 'MLP 784-400-20, bernoulli, Adam 1e-3',
  batchSize: B,
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  tfjsCore: tf.version_core,
  wasmBackendReported: backend.name,
  rounds: ROUNDS,
  trainSamplesPerSec: {
    wasmStock: round(median(stock)),
    wasmVaekit: round(median(fixed)),
    wasmVaekitXnnpackProducts: round(median(xnn)),
    wasmVaekitAae: round(median(aae)),
    cpu: round(cpuRate),
  },
  aaeOverVae: Math.round((median(aae) / median(fixed)) * 100) / 100,
  speedupVaekitOverStock: Math.round((median(fixed) / median(stock)) * 100) / 100,
  speedupHeapKernels: Math.round((median(fixed) / median(xnn)) * 100) / 100,
  perRound: { wasmStock: stock.map(round), wasmVaekit: fixed.map(round), wasmVaekitXnnpackProducts: xnn.map(round), wasmVaekitAae: aae.map(round) },
  target: { samplesPerSec: 3300, reference: 'PyTorch CPU (OpenBLAS), same model, same machine class' },
};
console.log(JSON.stringify(report, null, 2));
console.table([
  { backend: 'wasm, stock tfjs kernels', samplesPerSec: report.trainSamplesPerSec.wasmStock },
  { backend: 'wasm, vaekit kernels, products on XNNPACK, tfjs Sum/Identity', samplesPerSec: report.trainSamplesPerSec.wasmVaekitXnnpackProducts },
  { backend: 'wasm, vaekit kernels', samplesPerSec: report.trainSamplesPerSec.wasmVaekit },
  { backend: 'wasm, vaekit kernels, AAE (3 phases)', samplesPerSec: report.trainSamplesPerSec.wasmVaekitAae },
  { backend: 'cpu (pure JS)', samplesPerSec: report.trainSamplesPerSec.cpu },
  { backend: 'target (PyTorch CPU)', samplesPerSec: 3300 },
]);
