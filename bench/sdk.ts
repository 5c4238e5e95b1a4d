/**
 * The SDK's inference cost on Node (models/mnist-mlp, MLP 784-400-20, Bernoulli), every figure
 * measured in this one process.
 * `npx tsx bench/sdk.ts [--rounds N] [--round-ms N] [--calls N] [--k N] [--threads N]`
 * (`--threads`: intra-op threads of every session, default 0 = ONNX Runtime's default)
 *
 * 1. Batch-256 `vae.decode` throughput (onnxruntime-node, cpu) against tfjs-backend-wasm's
 *    `decoder.predict` on the same weights (copied out of decoder.onnx's initializers; the two
 *    outputs are checked to agree first). Both read back both outputs (logits and mean) as JS arrays.
 * 2. A GEMM roofline: one-node MatMul graphs (constant B, like the decoder's weights) through
 *    ortNodeBackend, and the decoder's achieved GFLOP/s as a fraction of it.
 * 3. Batch-1 `vae.decode` cost against a bare onnxruntime-node `session.run` of the same graph
 *    (same provider, thread and optimization settings), with the layers in between
 *    (ortNodeBackend's session adapter) and the SDK's synchronous per-call work timed separately.
 * 4. `vae.logLikelihood` with K = 1000 over the 997 test digits (seed 1, stream 3: the trainer's
 *    ε) against the manifest's training.metrics.testIwaeNll.
 *
 * Rounds alternate between the compared paths; figures are medians. Prints JSON, then tables.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../export/graph-builder.js';
import { onnx } from '../export/onnx.js';
import type { VaeManifest } from '../src/manifest/schema.js';
import type { GraphSession, RuntimeBackend, TensorData } from '../src/runtime/backend.js';
import { ortNodeBackend } from '../src/runtime/ort-node.js';
import { checkFeeds } from '../src/runtime/providers.js';
import { fillStandardNormal, reparameterize, samplePrior } from '../src/sampler/index.js';
import { selectBackend } from '../src/train/backend/select-backend.js';
import { loadEmbeddedMnist } from '../src/train/data/mnist-embedded.js';
import { buildMlpVae, type MlpArchitecture } from '../src/train/model/mlp.js';
import { conditionRows } from '../src/vae/conditions.js';
import { toBatch } from '../src/vae/inputs.js';
import { Vae } from '../src/vae/vae.js';
import { option } from './options.js';

const ROUNDS = option('rounds', 7);
const ROUND_MS = option('round-ms', 400);
const CALLS = option('calls', 5000); // batch-1 calls per path
const K = option('k', 1000);
const THREADS = option('threads', 0, { min: 0 });

const BATCH = 256;
const J = 20;
/** Multiply-adds per decoded sample: 20·400 + 400·784. */
const MACS_PER_SAMPLE = 20 * 400 + 400 * 784;

const MODEL = fileURLToPath(new URL('../models/mnist-mlp', import.meta.url));
const manifest = JSON.parse(readFileSync(join(MODEL, 'vaekit.json'), 'utf8')) as VaeManifest & {
  training: { metrics: { testIwaeNll: number }; config: { architecture: MlpArchitecture } };
};
const decoderBytes = new Uint8Array(readFileSync(join(MODEL, manifest.graphs.decoder.file)));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10000) / 10000;

/** OS threads of this process (Linux), to see how many threads each ORT session starts. */
function processThreads(): number | null {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  } catch {
    return null;
  }
}

/** ms per call of `fn`, over a round of at least ROUND_MS (and at least 3 calls). */
async function msPerCall(fn: () => unknown): Promise<number> {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ROUND_MS || calls < 3) {
    await fn();
    calls++;
    now = performance.now();
  }
  return (now - start) / calls;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// — load —

const loadAtStart = loadavg();
const cpuAtStart = process.cpuUsage();
const wallAtStart = performance.now();

// The options ortNodeBackend passes to InferenceSession.create, captured while the Vae loads, so
// the bare session below runs with exactly the SDK's settings (threads, spinning, optimization).
type CreateOptions = ort.InferenceSession.SessionOptions;
const sdkCreateOptions: Array<{ bytes: number; options: CreateOptions }> = [];
const sessionClass = ort.InferenceSession as unknown as { create: (...args: unknown[]) => Promise<ort.InferenceSession> };
const originalCreate = sessionClass.create;
sessionClass.create = (...args: unknown[]) => {
  if (args[0] instanceof Uint8Array && args[1] && typeof args[1] === 'object') sdkCreateOptions.push({ bytes: args[0].byteLength, options: args[1] as CreateOptions });
  return originalCreate.apply(sessionClass, args);
};
const threadsAtStart = processThreads();
const vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu', threads: THREADS });
const threadsAfterLoad = processThreads(); // 3 sessions: encoder, decoder (decoding and scoring), likelihood scorer
sessionClass.create = originalCreate;
const decoderOptions = sdkCreateOptions.find((c) => c.bytes === decoderBytes.byteLength)?.options;
if (!decoderOptions) throw new Error('could not capture the options ortNodeBackend created the decoder session with');
// Bare onnxruntime-node sessions of decoder.onnx: with the SDK's options, and with ORT's defaults.
const bare = await ort.InferenceSession.create(decoderBytes, { ...decoderOptions, executionProviders: ['cpu'] });
const threadsAfterBare = processThreads();
const bareDefaults = await ort.InferenceSession.create(decoderBytes, { executionProviders: ['cpu'] });
const adapter: GraphSession = await ortNodeBackend.createSession(decoderBytes, { device: 'cpu', threads: THREADS });

// — 1. batch-256 decode: vaekit/onnxruntime-node vs tfjs-backend-wasm, same weights —

const wasm = await selectBackend('wasm');
const arch = manifest.training.config.architecture;
const { decoder: tfjsDecoder, encoder: tfjsEncoder } = buildMlpVae(arch, {
  inputShape: [...manifest.input.shape],
  likelihood: { kind: 'bernoulli' },
  valueRange: [0, 1],
  seed: 1,
});
tfjsEncoder.dispose();
const initializers = new Map<string, { dims: number[]; data: Float32Array }>();
for (const t of onnx.ModelProto.decode(decoderBytes).graph!.initializer!) {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) continue;
  const raw = t.rawData!;
  const data = new Float32Array(raw.length / 4);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
  initializers.set(t.name!, { dims: t.dims!.map(Number), data });
}
const copied: string[] = [];
for (const layer of tfjsDecoder.layers) {
  const kernel = initializers.get(`${layer.name}/kernel`);
  const bias = initializers.get(`${layer.name}/bias`);
  if (!kernel || !bias) continue;
  const tensors = [tf.tensor(kernel.data, kernel.dims), tf.tensor(bias.data, bias.dims)];
  layer.setWeights(tensors); // ONNX MatMul weights are [in, out], like tfjs Dense kernels
  tf.dispose(tensors);
  copied.push(`${layer.name} [${kernel.dims.join('×')}]`);
}
if (copied.length !== 2) throw new Error(`expected 2 dense layers with weights in decoder.onnx; copied ${copied.join(', ')}`);

const z256 = samplePrior(BATCH, J, { seed: 2024, stream: 0 });
const z256Input = { data: z256, shape: [BATCH, J] };
const tfjsDecode = (): Float32Array[] => {
  const outs = tf.tidy(() => tfjsDecoder.predict(tf.tensor2d(z256, [BATCH, J])) as tf.Tensor[]);
  const arrays = outs.map((o) => o.dataSync() as Float32Array); // [logits, mean]
  tf.dispose(outs);
  return arrays;
};
const sdkOut = await vae.decode(z256Input);
const [tfLogits, tfMean] = tfjsDecode();
const agreement = { logits: maxAbsDiff(sdkOut.logits!.data, tfLogits!), mean: maxAbsDiff(sdkOut.mean.data, tfMean!) };
if (agreement.mean > 1e-3 || agreement.logits > 1e-2) {
  throw new Error(`tfjs and onnxruntime disagree (max |Δ| logits ${agreement.logits}, mean ${agreement.mean}): the weights were not copied right`);
}

for (let i = 0; i < 20; i++) await vae.decode(z256Input);
for (let i = 0; i < 5; i++) tfjsDecode();
const sdkRates: number[] = [];
const sdkMeanOnlyRates: number[] = [];
const tfjsRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  sdkRates.push((BATCH * 1000) / (await msPerCall(() => vae.decode(z256Input))));
  sdkMeanOnlyRates.push((BATCH * 1000) / (await msPerCall(() => vae.decode(z256Input, { meanOnly: true }))));
  tfjsRates.push((BATCH * 1000) / (await msPerCall(tfjsDecode)));
}
const sdkRate = median(sdkRates);
const sdkMeanOnlyRate = median(sdkMeanOnlyRates);
const tfjsRate = median(tfjsRates);
tfjsDecoder.dispose();

// — 2. GEMM roofline through ortNodeBackend —

function matMulGraph(m: number, k: number, n: number): Uint8Array {
  const b = new GraphBuilder(`matmul_${m}x${k}x${n}`);
  b.addInput('a', [null, k]);
  const w = b.addWeight('b', samplePrior(k, n, { seed: 7, stream: 1, temperature: 0.05 }), [k, n]);
  b.reserve('y');
  b.node('MatMul', ['a', w], {}, 'y', { outputNames: ['y'] });
  b.addOutput('y', [null, n]);
  return b.encode('bench');
}
const gemmShapes: Array<[number, number, number]> = [
  [BATCH, 400, 784],
  [1024, 1024, 1024],
  [2048, 2048, 2048],
];
const gemm = [];
for (const [m, k, n] of gemmShapes) {
  const session = await ortNodeBackend.createSession(matMulGraph(m, k, n), { device: 'cpu', threads: THREADS });
  const feeds = { a: { data: samplePrior(m, k, { seed: 7, stream: 2 }), dims: [m, k] } };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) rates.push((2 * m * k * n) / (await msPerCall(() => session.run(feeds))) / 1e6);
  await session.release();
  gemm.push({ shape: `[${m},${k}]×[${k},${n}]`, gflops: median(rates) });
}
const roofline = Math.max(...gemm.map((g) => g.gflops));
const sameShapeGemm = gemm[0]!.gflops;
const decoderGflops = (sdkRate * MACS_PER_SAMPLE * 2) / 1e9;

// — 3. batch-1: vae.decode vs bare session.run —

const POOL = 1000;
const prior = samplePrior(POOL, J, { seed: 99, stream: 0 });
const latents = Array.from({ length: POOL }, (_, i) => prior.slice(i * J, (i + 1) * J));
let cursor = 0;
const next = () => latents[cursor++ % POOL]!;
type Path = 'bare' | 'bareDefaults' | 'adapter' | 'sdk';
const bareRun = (session: ort.InferenceSession) => async () => {
  const out = await session.run({ z: new ort.Tensor('float32', next(), [1, J]) });
  return [out['logits']!.data, out['mean']!.data];
};
const paths: Record<Path, () => Promise<unknown>> = {
  bare: bareRun(bare),
  bareDefaults: bareRun(bareDefaults),
  adapter: () => adapter.run({ z: { data: next(), dims: [1, J] } }),
  sdk: () => vae.decode({ data: next(), shape: [1, J] }),
};
const order: Path[] = ['bare', 'bareDefaults', 'adapter', 'sdk'];
for (const path of order) for (let i = 0; i < 500; i++) await paths[path]();
const perCall: Record<Path, number[]> = { bare: [], bareDefaults: [], adapter: [], sdk: [] };
const callRounds = 5;
const perRound = Math.ceil(CALLS / callRounds);
for (let r = 0; r < callRounds; r++) {
  // Rotate the order each round so no path always runs first.
  for (const path of [...order.slice(r % order.length), ...order.slice(0, r % order.length)]) {
    const run = paths[path];
    const times = perCall[path];
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      await run();
      times.push(performance.now() - t0);
    }
  }
}
const us = (path: Path) => median(perCall[path]) * 1000;
const batch1 = {
  bareUs: us('bare'),
  bareDefaultsUs: us('bareDefaults'),
  adapterUs: us('adapter'),
  sdkUs: us('sdk'),
  ratio: us('sdk') / us('bare'),
};

/** µs per call of a synchronous function, median of 5 loops of `n` calls. */
function syncUs(fn: () => unknown, n = 100_000): number {
  for (let i = 0; i < n / 10; i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    rounds.push(((performance.now() - t0) * 1000) / n);
  }
  return median(rounds);
}
const z1 = latents[0]!;
const fakeOutputs = () => ({
  logits: new ort.Tensor('float32', new Float32Array(784), [1, 28, 28, 1]),
  mean: new ort.Tensor('float32', new Float32Array(784), [1, 28, 28, 1]),
});
const makeOutputsUs = syncUs(fakeOutputs, 20_000);
const syncWork = {
  'toBatch (shape + finite check of z)': syncUs(() => toBatch({ data: z1, shape: [1, J] }, [J], 'z')),
  conditionRows: syncUs(() => conditionRows(vae.manifest, undefined, 1)),
  'runBatched feeds object': syncUs(() =>
    Object.fromEntries(Object.entries({ z: { data: z1, rowShape: [J] } }).map(([name, input]) => [name, { data: input.data.subarray(0, J), dims: [1, ...input.rowShape] }])),
  ),
  checkFeeds: syncUs(() => checkFeeds(['z'], { z: { data: z1, dims: [1, J] } })),
  'new ort.Tensor (input)': syncUs(() => new ort.Tensor('float32', z1, [1, J])),
  'unwrap + dispose 2 outputs': Math.max(
    0,
    syncUs(() => {
      const results = fakeOutputs();
      const out: Record<string, { data: Float32Array; dims: number[] }> = {};
      for (const [name, t] of Object.entries(results)) {
        if (t.type !== 'float32') throw new Error(name);
        out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
        t.dispose();
      }
      return out;
    }, 20_000) - makeOutputsUs,
  ),
};

// All of the SDK's JavaScript per batch-1 call, without ONNX Runtime: vae.decode over a decoder
// session that answers at once (fresh result objects around the arrays of its first run).
let cached: Record<string, TensorData> | null = null;
const instantRuntime: RuntimeBackend = {
  ...ortNodeBackend,
  async createSession(model, options) {
    const session = await ortNodeBackend.createSession(model, options);
    if (!session.inputNames.includes('z')) return session;
    return {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      provider: session.provider,
      release: () => session.release(),
      async run(...args: Parameters<GraphSession['run']>) {
        cached ??= await session.run(...args);
        return Object.fromEntries(Object.entries(cached).map(([name, t]) => [name, { data: t.data, dims: [...t.dims] }]));
      },
    };
  },
};
const instantVae = await Vae.load(MODEL, { runtime: instantRuntime, device: 'cpu', threads: THREADS });
const instantRounds: number[] = [];
for (let r = 0; r < 6; r++) {
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await instantVae.decode({ data: z1, shape: [1, J] });
  if (r > 0) instantRounds.push(((performance.now() - t0) * 1000) / n); // round 0 warms up
}
await instantVae.dispose();
const sdkJsUs = median(instantRounds);

// — 4. logLikelihood, K = 1000, 997 test digits —

// The Vae runs on ortNodeBackend behind a pass-through wrapper that adds up each session's run()
// time (encoder, decoder, likelihood scorer: a few hundred calls of ~10–100 ms, two clock reads
// each). What the sessions do not account for is the SDK's JavaScript: ε, z = μ + σ·ε, row
// repeats, output copies, log-sum-exp.
const sessionMs: Record<string, number> = {};
const timedRuntime: RuntimeBackend = {
  ...ortNodeBackend,
  async createSession(model, options) {
    const session = await ortNodeBackend.createSession(model, options);
    const role = session.inputNames.includes('z') ? 'decoder' : session.inputNames.length === 1 ? 'encoder' : 'scorer';
    sessionMs[role] = 0;
    return {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      provider: session.provider,
      release: () => session.release(),
      async run(...args: Parameters<GraphSession['run']>) {
        const t0 = performance.now();
        try {
          return await session.run(...args);
        } finally {
          sessionMs[role]! += performance.now() - t0;
        }
      },
    };
  },
};
const llVae = await Vae.load(MODEL, { runtime: timedRuntime, device: 'cpu', threads: THREADS });
const mnist = await loadEmbeddedMnist();
const test = { data: mnist.test.x, shape: [mnist.test.count, ...mnist.shape] };
await llVae.logLikelihood({ data: mnist.test.x.subarray(0, 8 * 784), shape: [8, ...mnist.shape] }, { k: K, seed: 1, stream: 3 }); // warm-up
for (const role of Object.keys(sessionMs)) sessionMs[role] = 0;
const llStart = performance.now();
const ll = await llVae.logLikelihood(test, { k: K, seed: 1, stream: 3 });
const llSeconds = (performance.now() - llStart) / 1000;
await llVae.dispose();
const sdkNll = -ll.mean;
const trainerNll = manifest.training.metrics.testIwaeNll;
const examplesPerChunk = Math.max(1, Math.floor(8192 / K)); // the SDK's default chunking
const chunkValues = examplesPerChunk * K * J;
const samplerMs = median(
  Array.from({ length: 5 }, () => {
    const t0 = performance.now();
    const eps = fillStandardNormal(new Float32Array(chunkValues), { seed: 1, stream: 3, offset: 0 });
    reparameterize(eps, new Float32Array(chunkValues), eps);
    return performance.now() - t0;
  }),
);
const sessionsMs = Object.values(sessionMs).reduce((a, b) => a + b, 0);
const llBreakdownSeconds = {
  encoder: r2((sessionMs['encoder'] ?? 0) / 1000),
  decoder: r2((sessionMs['decoder'] ?? 0) / 1000),
  scorer: r2((sessionMs['scorer'] ?? 0) / 1000),
  javascript: r2(llSeconds - sessionsMs / 1000),
  'javascript: ε + reparameterize (timed apart)': r2(((samplerMs / 1000) * mnist.test.count) / examplesPerChunk),
};
await vae.dispose();
await adapter.release();
await bare.release();
await bareDefaults.release();

// — report —

const cpuUsed = process.cpuUsage(cpuAtStart);
const report = {
  benchmark: 'sdk',
  machineLoad: {
    loadAverage1mStart: r2(loadAtStart[0]!),
    loadAverage1mEnd: r2(loadavg()[0]!),
    processCpuSecondsPerWallSecond: r2((cpuUsed.user + cpuUsed.system) / 1000 / (performance.now() - wallAtStart)),
    note: 'other processes on this machine compete for its cores; a load average above the core count slows the multi-threaded ORT paths most',
  },
  model: `models/mnist-mlp (${manifest.name}: MLP 784-400-20, bernoulli)`,
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  machineCores: { osCpus: cpus().length, availableParallelism: availableParallelism() },
  onnxruntimeNode: ort.env.versions?.node ?? 'unknown',
  ortThreads: {
    threadsOption: THREADS,
    sdkSessionOptions: decoderOptions,
    meaning: 'intraOpNumThreads 0 or unset = ONNX Runtime default: intra-op threads = physical cores, the calling thread included (new OS threads per session = that − 1)',
    processThreadsAtStart: threadsAtStart,
    processThreadsAfterVaeLoad3Sessions: threadsAfterLoad,
    newOsThreadsPerSession: threadsAfterBare !== null && threadsAfterLoad !== null ? threadsAfterBare - threadsAfterLoad : null,
  },
  tfjs: {
    core: tf.version_core,
    backend: wasm.name,
    wasmThreads: getThreadsCount(),
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    multithreadSupport: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
  },
  rounds: ROUNDS,
  roundMs: ROUND_MS,
  decodeBatch256: {
    weightsCopied: copied,
    outputsRead: 'both paths return logits and mean as JS Float32Arrays',
    maxAbsDiffVsTfjs: agreement,
    samplesPerSec: { vaekitOrtNode: Math.round(sdkRate), vaekitOrtNodeMeanOnly: Math.round(sdkMeanOnlyRate), tfjsWasm: Math.round(tfjsRate) },
    ratio: r2(sdkRate / tfjsRate),
    ratioMeanOnly: r2(sdkMeanOnlyRate / tfjsRate),
    goal: '≥ 10×',
    perRound: { vaekitOrtNode: sdkRates.map(Math.round), tfjsWasm: tfjsRates.map(Math.round) },
  },
  roofline: {
    gemm: gemm.map((g) => ({ ...g, gflops: r1(g.gflops) })),
    rooflineGflops: r1(roofline),
    decoderGflops: r1(decoderGflops),
    macsPerSample: MACS_PER_SAMPLE,
    decoderFractionOfRoofline: r4(decoderGflops / roofline),
    decoderFractionOfSameShapeGemm: r4(decoderGflops / sameShapeGemm),
    goal: '≥ 0.5 of the roofline',
  },
  decodeBatch1: {
    callsPerPath: perCall.sdk.length,
    bareSessionOptions: { ...decoderOptions, executionProviders: ['cpu'] },
    medianUs: {
      bareSessionRun: r1(batch1.bareUs),
      bareSessionRunOrtDefaults: r1(batch1.bareDefaultsUs),
      ortNodeBackendAdapter: r1(batch1.adapterUs),
      vaeDecode: r1(batch1.sdkUs),
    },
    p90Us: {
      bareSessionRun: r1(quantile(perCall.bare, 0.9) * 1000),
      bareSessionRunOrtDefaults: r1(quantile(perCall.bareDefaults, 0.9) * 1000),
      ortNodeBackendAdapter: r1(quantile(perCall.adapter, 0.9) * 1000),
      vaeDecode: r1(quantile(perCall.sdk, 0.9) * 1000),
    },
    ratio: r2(batch1.ratio),
    goal: '≤ 1.5× (against the bare session with the SDK\'s own session options)',
    ratioVsOrtDefaults: r2(batch1.sdkUs / batch1.bareDefaultsUs),
    overheadUs: { adapterOverBare: r1(batch1.adapterUs - batch1.bareUs), sdkOverAdapter: r1(batch1.sdkUs - batch1.adapterUs) },
    sdkJavascriptUsOverInstantSession: r2(sdkJsUs),
    syncWorkUs: Object.fromEntries(Object.entries(syncWork).map(([k, v]) => [k, r2(v)])),
  },
  logLikelihood: {
    k: K,
    examples: mnist.test.count,
    seed: 1,
    stream: 3,
    wallSeconds: r2(llSeconds),
    goalSeconds: 10,
    decodedRowsPerSec: Math.round((mnist.test.count * K) / llSeconds),
    meanNll: Math.round(sdkNll * 1e6) / 1e6,
    manifestTestIwaeNll: Math.round(trainerNll * 1e6) / 1e6,
    differenceNats: Math.round((sdkNll - trainerNll) * 1e6) / 1e6,
    goalNats: 0.3,
    secondsBy: llBreakdownSeconds,
    decoderRowsPerSec: Math.round((mnist.test.count * K) / ((sessionMs['decoder'] ?? 1) / 1000)),
    runtime: 'ortNodeBackend behind a pass-through wrapper timing each session.run()',
  },
};
console.log(JSON.stringify(report, null, 2));
console.table([
  { path: 'vaekit decode (onnxruntime-node cpu)', samplesPerSec: report.decodeBatch256.samplesPerSec.vaekitOrtNode, gflops: r1(decoderGflops) },
  { path: 'tfjs-backend-wasm decoder.predict', samplesPerSec: report.decodeBatch256.samplesPerSec.tfjsWasm, gflops: r1((tfjsRate * MACS_PER_SAMPLE * 2) / 1e9) },
  { path: 'vaekit decode, meanOnly', samplesPerSec: report.decodeBatch256.samplesPerSec.vaekitOrtNodeMeanOnly, gflops: r1((sdkMeanOnlyRate * MACS_PER_SAMPLE * 2) / 1e9) },
  { path: 'ratio (goal ≥ 10)', samplesPerSec: report.decodeBatch256.ratio, gflops: null },
  { path: 'ratio, meanOnly', samplesPerSec: report.decodeBatch256.ratioMeanOnly, gflops: null },
]);
console.table([
  ...report.roofline.gemm.map((g) => ({ what: `MatMul ${g.shape}`, gflops: g.gflops, fraction: null as number | null })),
  { what: 'decoder, batch 256 (vae.decode)', gflops: report.roofline.decoderGflops, fraction: report.roofline.decoderFractionOfRoofline },
]);
console.table([
  { path: 'bare InferenceSession.run (SDK options)', medianUs: report.decodeBatch1.medianUs.bareSessionRun, p90Us: report.decodeBatch1.p90Us.bareSessionRun },
  { path: 'bare InferenceSession.run (ORT defaults)', medianUs: report.decodeBatch1.medianUs.bareSessionRunOrtDefaults, p90Us: report.decodeBatch1.p90Us.bareSessionRunOrtDefaults },
  { path: 'ortNodeBackend session.run', medianUs: report.decodeBatch1.medianUs.ortNodeBackendAdapter, p90Us: report.decodeBatch1.p90Us.ortNodeBackendAdapter },
  { path: 'vae.decode', medianUs: report.decodeBatch1.medianUs.vaeDecode, p90Us: report.decodeBatch1.p90Us.vaeDecode },
  { path: 'vae.decode over an instant session (SDK JS only)', medianUs: report.decodeBatch1.sdkJavascriptUsOverInstantSession, p90Us: null },
  { path: 'ratio vae.decode / bare, SDK options (goal ≤ 1.5)', medianUs: report.decodeBatch1.ratio, p90Us: null },
  { path: 'ratio vae.decode / bare, ORT defaults', medianUs: report.decodeBatch1.ratioVsOrtDefaults, p90Us: null },
]);
console.table([
  { what: `logLikelihood K=${K}, ${mnist.test.count} digits`, seconds: report.logLikelihood.wallSeconds, nll: report.logLikelihood.meanNll },
  { what: 'manifest testIwaeNll (trainer)', seconds: null, nll: report.logLikelihood.manifestTestIwaeNll },
  { what: 'difference (goal ≤ 0.3 nats)', seconds: null, nll: report.logLikelihood.differenceNats },
]);
console.table(Object.entries(llBreakdownSeconds).map(([part, seconds]) => ({ part, seconds })));
