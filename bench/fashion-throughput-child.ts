/**
 * One row of bench/fashion-throughput.ts, in a process of its own so that its peak RSS is its own:
 * trains the default `--arch <model>` VAE (Bernoulli, Adam 1e-3, batch 128) on real Fashion-MNIST
 * batches on `--backend`, and prints one JSON line. `--kernels stock` puts wasm's own
 * Conv2DBackpropInput back (vaekit's other wasm kernels stay: without them a conv model does not
 * train on wasm at all); `--kernels xnnpack-products` runs vaekit's kernels as before its heap kernels
 * (matrix products on XNNPACK, tfjs' Sum and Identity; bench/kernel-settings.ts). `--workers N` trains on N threads (train's `workers`: data parallelism)
 * and adds where replica 0's step time went. `--adam tfjs` trains one thread with tfjs' Adam instead of vaekit's (same bits),
 * on tfjs' engine. `--engine tfjs` trains the MLP on tfjs' engine instead of vaekit's dense VAE step (train's `engine`).
 * `npx tsx bench/fashion-throughput-child.ts --model mlp|conv --backend wasm|cpu [--kernels vaekit|stock|xnnpack-products] [--workers N] [--adam vaekit|tfjs] [--engine auto|tfjs] [--batch-size N] --steps N [--warmup N]`
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/train/backend/select-backend.js';
import { loadFashionMnist } from '../src/train/data/fashion-mnist.js';
import { fashionStep, parallelFashionStep } from './fashion-step.js';
import { useKernels } from './kernel-settings.js';
import { choice, option } from './options.js';

const MODEL = choice('model', ['mlp', 'conv'] as const, 'mlp');
const BACKEND = choice('backend', ['wasm', 'cpu'] as const, 'wasm');
const KERNELS = choice('kernels', ['vaekit', 'stock', 'xnnpack-products'] as const, 'vaekit');
const STEPS = option('steps', 50);
const WARMUP = option('warmup', 2, { min: 0 });
const WORKERS = option('workers', 1);
const BATCH = option('batch-size', 128);
const ADAM_IMPL = choice('adam', ['vaekit', 'tfjs'] as const, 'vaekit');
const ENGINE = choice('engine', ['auto', 'tfjs'] as const, 'auto');

const MB = 1024 * 1024;
const backend = await selectBackend(BACKEND); // wasm: with vaekit's kernels
if (backend.name === 'wasm') useKernels(KERNELS === 'stock' ? 'stock-conv-input' : KERNELS);
if (KERNELS !== 'vaekit' && WORKERS > 1) throw new Error('--kernels other than vaekit: one thread only (worker threads install their own)');
const data = await loadFashionMnist();
const rssAfterData = process.memoryUsage().rss;

// Products on XNNPACK are a tfjs-kernel setting: they need tfjs' engine.
const engine = KERNELS === 'vaekit' ? ENGINE : 'tfjs';
const run = WORKERS > 1 ? await parallelFashionStep(MODEL, data, WORKERS, backend.name, BATCH, engine) : await fashionStep(MODEL, data, ADAM_IMPL, BATCH, engine);
let objective = NaN;
for (let i = 0; i < WARMUP; i++) objective = await run.step();
const timingsBefore = 'timings' in run ? run.timings() : null;
const start = performance.now();
const cpuStart = process.cpuUsage();
for (let i = 0; i < STEPS; i++) objective = await run.step();
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
// Replica 0's step, ms per step: its shard's forward/backward, waiting for the others, its share of
// the gradient sum and Adam, loading the new weights.
const breakdown = timingsBefore && 'timings' in run ? (() => {
  const t = run.timings();
  const per = (key: 'gradientMs' | 'waitMs' | 'adamMs' | 'loadMs') => Math.round(((t[key] - timingsBefore[key]) / STEPS) * 10) / 10;
  return { gradientMs: per('gradientMs'), waitMs: per('waitMs'), adamMs: per('adamMs'), loadMs: per('loadMs') };
})() : null;
await run.dispose();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
console.log(
  JSON.stringify({
    model: run.model,
    arch: MODEL,
    backend: backend.name,
    kernels: backend.name === 'wasm' ? KERNELS : 'stock',
    workers: WORKERS,
    engine: MODEL === 'mlp' && backend.name === 'wasm' && engine === 'auto' && ADAM_IMPL === 'vaekit' ? 'dense' : 'tfjs',
    adam: WORKERS > 1 ? 'vaekit (shared, SIMD)' : ADAM_IMPL,
    stepBreakdownMs: breakdown,
    batchSize: run.batchSize,
    warmupSteps: WARMUP,
    steps: STEPS,
    samplesPerSec: Math.round((STEPS * run.batchSize) / seconds),
    msPerStep: Math.round((seconds * 1000) / STEPS),
    // This process's CPU time (all its threads): what a step costs when the machine is shared.
    samplesPerCpuSec: Math.round((STEPS * run.batchSize) / cpuSeconds),
    cpuMsPerStep: Math.round((cpuSeconds * 1000) / STEPS),
    finalObjective: Math.round(objective * 100) / 100,
    // maxRSS is the kernel's high-water mark (getrusage, kB) of this process's whole life: data included.
    peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / MB),
    rssAfterDataMB: Math.round(rssAfterData / MB),
    wasmHeapMB: heap === undefined ? null : Math.round(heap / MB),
  }),
);
