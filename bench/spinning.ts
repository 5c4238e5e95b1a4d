/**
 * What spinning intra-op threads cost and buy a Vae (models/mnist-mlp, onnxruntime-node cpu):
 * batch-1 and batch-256 `vae.decode`, and `vae.logLikelihood` (K = 1000) over the first test
 * digits, for three thread-pool settings, rounds alternating in one process (medians):
 *   - `stop`:   spin within a run, stop when it returns (ortNodeBackend as shipped);
 *   - `never`:  never spin (`spinning: false`);
 *   - `always`: spin, also after a run returns (onnxruntime's default).
 * Spinning only matters with worker threads: ONNX Runtime's default pool on a 2-core VM has none,
 * hence `--threads 2` by default.
 *
 * `npx tsx bench/spinning.ts [--threads N] [--rounds N] [--digits N]`
 */
import * as ort from 'onnxruntime-node';
import { loadavg } from 'node:os';
import type { RuntimeBackend } from '../src/runtime/backend.js';
import { ortNodeBackend } from '../src/runtime/ort-node.js';
import { OrtSession, type OrtSessionLike } from '../src/runtime/ort-session.js';
import { samplePrior } from '../src/sampler/index.js';
import { loadEmbeddedMnist } from '../src/train/data/mnist-embedded.js';
import { Vae } from '../src/vae/vae.js';
import { option } from './options.js';

const THREADS = option('threads', 2, { min: 0 });
const ROUNDS = option('rounds', 15);
const DIGITS = option('digits', 100);
const MODEL = new URL('../models/mnist-mlp', import.meta.url).pathname;
const J = 20;

/** onnxruntime-node with every spinning session spinning after its runs too. */
const alwaysSpinning: RuntimeBackend = {
  ...ortNodeBackend,
  async createSession(model, options = {}) {
    const spin = options.spinning !== false;
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.threads ?? 0,
      ...(spin ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
    });
    return new OrtSession('onnxruntime-node', session as unknown as OrtSessionLike, 'cpu', (data, dims) => new ort.Tensor('float32', data, dims));
  },
};

const settings = {
  stop: () => Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu', threads: THREADS }),
  never: () => Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu', threads: THREADS, spinning: false }),
  always: () => Vae.load(MODEL, { runtime: alwaysSpinning, device: 'cpu', threads: THREADS }),
};
type Setting = keyof typeof settings;
const names = Object.keys(settings) as Setting[];
const vaes = {} as Record<Setting, Vae>;
for (const name of names) vaes[name] = await settings[name]();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const prior = samplePrior(1000, J, { seed: 99, stream: 0 });
const one = (i: number) => ({ data: prior.subarray((i % 1000) * J, ((i % 1000) + 1) * J), shape: [1, J] });
const z256 = { data: samplePrior(256, J, { seed: 2024, stream: 0 }), shape: [256, J] };
const mnist = await loadEmbeddedMnist();
const digits = { data: mnist.test.x.subarray(0, DIGITS * 784), shape: [DIGITS, ...mnist.shape] };

for (const name of names) {
  for (let i = 0; i < 500; i++) await vaes[name].decode(one(i));
  await vaes[name].logLikelihood({ data: mnist.test.x.subarray(0, 8 * 784), shape: [8, ...mnist.shape] }, { k: 1000, seed: 1, stream: 3 });
}

const figures = Object.fromEntries(names.map((n) => [n, { decode1Us: [] as number[], decode256PerSec: [] as number[], logLikelihoodS: [] as number[], logLikelihoodCpuS: [] as number[] }]));
const load = [loadavg()[0]!];
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order each round so no setting always runs first.
  for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
    const vae = vaes[name];
    const f = figures[name]!;
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      await vae.decode(one(i));
      times.push(performance.now() - t0);
    }
    f.decode1Us.push(median(times) * 1000);
    let calls = 0;
    const t256 = performance.now();
    while (performance.now() - t256 < 300) {
      await vae.decode(z256);
      calls++;
    }
    f.decode256PerSec.push((calls * 256 * 1000) / (performance.now() - t256));
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await vae.logLikelihood(digits, { k: 1000, seed: 1, stream: 3 });
    f.logLikelihoodS.push((performance.now() - t0) / 1000);
    const used = process.cpuUsage(cpu);
    f.logLikelihoodCpuS.push((used.user + used.system) / 1e6);
  }
}
load.push(loadavg()[0]!);
for (const name of names) await vaes[name].dispose();

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const rows = names.map((name) => {
  const f = figures[name]!;
  return {
    spinning: name,
    decode1MedianUs: r1(median(f.decode1Us)),
    decode256SamplesPerSec: Math.round(median(f.decode256PerSec)),
    logLikelihoodSeconds: r2(median(f.logLikelihoodS)),
    logLikelihoodCpuSeconds: r2(median(f.logLikelihoodCpuS)),
  };
});
console.log(JSON.stringify({ benchmark: 'spinning', threads: THREADS, rounds: ROUNDS, digits: DIGITS, k: 1000, loadAverage1m: load.map(r2), rows }, null, 2));
console.table(rows);
