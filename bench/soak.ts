/**
 * Memory soak of `vae.decode` on Node (models/mnist-mlp, onnxruntime-node cpu):
 * `npx tsx bench/soak.ts [--calls N] [--every N]` (defaults 100 000 and 10 000).
 *
 * Runs N batch-1 decode calls on seeded latents, plus one batch-64 call after every 1 000 of
 * them, and samples process.memoryUsage() (rss, heapUsed, external, arrayBuffers) every `every`
 * calls, each time after a forced full garbage collection (so heap figures are live data, not
 * garbage waiting for a collection). Verdict: flat when RSS grows by less than 5 % or less than
 * 20 MB between the sample at call 20 000 and the last one.
 *
 * ORT tensors: onnxruntime-node exposes no count of open tensors or native allocations, so the
 * soak counts the `ort.Tensor` objects that cross `InferenceSession.run` (the SDK's input
 * tensors and every output) by wrapping `InferenceSession.prototype.run` and
 * `Tensor.prototype.dispose`, and follows them with a FinalizationRegistry: `live` = created −
 * garbage-collected. CPU tensors hold JS typed arrays (no native memory outlives a run), so
 * native growth — ONNX Runtime's arena included — shows up only in RSS.
 */
import * as ort from 'onnxruntime-node';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { ortNodeBackend } from '../src/runtime/ort-node.js';
import { samplePrior } from '../src/sampler/index.js';
import { Vae } from '../src/vae/vae.js';
import { option } from './options.js';

const CALLS = option('calls', 100_000);
const EVERY = option('every', 10_000);
const BATCH64_EVERY = 1000;
const BASELINE_CALL = 20_000;
const J = 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// — ORT tensor accounting (instrumentation only; the SDK is unchanged) —

const counts = { created: 0, disposed: 0, collected: 0 };
const tracked = new WeakSet<object>();
const registry = new FinalizationRegistry<null>(() => void counts.collected++);
const track = (t: unknown) => {
  if (t && typeof t === 'object' && !tracked.has(t)) {
    tracked.add(t);
    counts.created++;
    registry.register(t, null);
  }
};
// InferenceSession is typed as a factory; at run time it is the class whose prototype.run the SDK calls.
const sessionProto = (ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => Promise<Record<string, unknown>> } }).prototype;
const run = sessionProto.run;
sessionProto.run = async function (this: unknown, ...args: unknown[]) {
  for (const t of Object.values(args[0] as Record<string, unknown>)) track(t);
  const results = await run.apply(this, args);
  for (const t of Object.values(results)) track(t);
  return results;
};
const tensorProto = ort.Tensor.prototype as unknown as { dispose: () => void };
const dispose = tensorProto.dispose;
tensorProto.dispose = function (this: object) {
  if (tracked.has(this)) counts.disposed++;
  return dispose.call(this);
};

// — soak —

const vae = await Vae.load(fileURLToPath(new URL('../models/mnist-mlp', import.meta.url)), { runtime: ortNodeBackend, device: 'cpu' });
const POOL = 1000;
const prior = samplePrior(POOL, J, { seed: 5, stream: 0 });
const latents = Array.from({ length: POOL }, (_, i) => prior.slice(i * J, (i + 1) * J));
const batch64 = Array.from({ length: 8 }, (_, i) => samplePrior(64, J, { seed: 6, stream: i }));
const reference = (await vae.decode({ data: latents[0]!, shape: [1, J] })).mean.data.slice();

for (let i = 0; i < 2000; i++) await vae.decode({ data: latents[i % POOL]!, shape: [1, J] }); // warm-up (not counted)

const MB = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
interface Sample {
  calls: number;
  batch64Calls: number;
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
  arrayBuffersMB: number;
  liveOrtTensors: number;
  neverDisposedOrtTensors: number;
  callsPerSec: number | null;
}
const samples: Sample[] = [];
let batch64Calls = 0;
let blockStart = performance.now();
async function sample(calls: number, timed: boolean): Promise<void> {
  const seconds = (performance.now() - blockStart) / 1000;
  const blockCalls = calls - (samples.at(-1)?.calls ?? 0);
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5)); // FinalizationRegistry callbacks run in a later task
  }
  const m = process.memoryUsage();
  samples.push({
    calls,
    batch64Calls,
    rssMB: MB(m.rss),
    heapUsedMB: MB(m.heapUsed),
    externalMB: MB(m.external),
    arrayBuffersMB: MB(m.arrayBuffers),
    liveOrtTensors: counts.created - counts.collected,
    neverDisposedOrtTensors: counts.created - counts.disposed,
    callsPerSec: timed ? Math.round(blockCalls / seconds) : null,
  });
  blockStart = performance.now();
}

const started = performance.now();
await sample(0, false);
for (let call = 1; call <= CALLS; call++) {
  await vae.decode({ data: latents[call % POOL]!, shape: [1, J] });
  if (call % BATCH64_EVERY === 0) {
    await vae.decode({ data: batch64[batch64Calls % batch64.length]!, shape: [64, J] });
    batch64Calls++;
  }
  if (call % EVERY === 0 || call === CALLS) await sample(call, true);
}
const seconds = (performance.now() - started) / 1000;
const sameOutput = (await vae.decode({ data: latents[0]!, shape: [1, J] })).mean.data.every((v, i) => v === reference[i]);
await vae.dispose();

const baseline = samples.find((s) => s.calls >= BASELINE_CALL && s.calls < CALLS) ?? null;
const last = samples.at(-1)!;
const growthMB = baseline ? Math.round((last.rssMB - baseline.rssMB) * 10) / 10 : null;
const growthPercent = baseline ? Math.round(((last.rssMB - baseline.rssMB) / baseline.rssMB) * 10000) / 100 : null;
const verdict =
  baseline === null
    ? `n/a: needs samples at call ${BASELINE_CALL} and after (run more than ${BASELINE_CALL} calls)`
    : growthPercent! < 5 || growthMB! < 20
      ? 'flat'
      : 'growing';

const report = {
  benchmark: 'soak',
  model: 'models/mnist-mlp, onnxruntime-node cpu',
  node: process.version,
  calls: CALLS,
  batch64Calls,
  sampleEvery: EVERY,
  seconds: Math.round(seconds * 10) / 10,
  sampling: 'process.memoryUsage() after a forced full GC (v8 --expose-gc set at run time)',
  ortTensors: {
    created: counts.created,
    disposed: counts.disposed,
    garbageCollected: counts.collected,
    measured:
      'ort.Tensor objects passed to or returned by InferenceSession.run (wrapped prototype methods + FinalizationRegistry); live = created − garbage-collected. onnxruntime-node has no API for open native tensors.',
  },
  rss: {
    baselineCall: baseline?.calls ?? null,
    baselineMB: baseline?.rssMB ?? null,
    lastMB: last.rssMB,
    growthMB,
    growthPercent,
    rule: 'flat if growth < 5 % or < 20 MB between call 20 000 and the last call',
  },
  verdict,
  sameOutputAtEnd: sameOutput,
  samples,
};
console.log(JSON.stringify(report, null, 2));
console.table(samples);
console.log(
  `verdict: ${verdict}` +
    (baseline ? ` (RSS ${baseline.rssMB} MB at call ${baseline.calls} → ${last.rssMB} MB at call ${last.calls}: ${growthMB! >= 0 ? '+' : ''}${growthMB} MB, ${growthPercent} %)` : ''),
);
