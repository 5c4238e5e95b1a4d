/**
 * Benchmarks the wasm backend's matrix products, stock kernels against
 * `installFastTransposedMatMul`, in one process. Run with `npx tsx bench/matmul.ts`.
 *
 * Part 1 times each product of a 784-400-20 VAE's dense layers at batch 128: the forward
 * `x·W` (plain), and the two gradient products `dy·Wᵀ` (transB) and `xᵀ·dy` (transA). The encoder
 * head is one 400→40 layer (mean and log-variance together). Part 2 times a training-step-like
 * `tf.grads` over a 784→400→40 encoder and a 20→400→784 decoder built from fused dense layers.
 *
 * Output: a JSON object on stdout, then human-readable tables. Timings are medians over several
 * rounds. Each round runs the operation repeatedly for a fixed time. Options:
 * `--rounds N` (default 7), `--round-ms N` (default 150).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core's gradients are registered by tfjs-layers' Node bundle (tfjs-core alone has none).
import '@tensorflow/tfjs-layers';
import { installFastTransposedMatMul } from '../src/train/backend/fast-transposed-matmul.js';

const BATCH = 128;
/** [name, inputs, outputs] of each dense layer. */
const LAYERS: ReadonlyArray<readonly [string, number, number]> = [
  ['enc.hidden', 784, 400],
  ['enc.head', 400, 40],
  ['dec.hidden', 20, 400],
  ['dec.out', 400, 784],
];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
const ROUNDS = option('rounds', 7);
const ROUND_MS = option('round-ms', 150);

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median ms per call of `run`, which returns a tensor or a tensor array that is disposed. */
function msPerCall(run: () => tf.Tensor | tf.Tensor[]): number {
  const once = () => tf.dispose(run());
  for (let i = 0; i < 3; i++) once();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ROUND_MS || calls < 2) {
      once();
      calls++;
      now = performance.now();
    }
    rounds.push((now - start) / calls);
  }
  return median(rounds);
}

/** Runs `fn` with the stock kernels, then with the fix installed. */
function stockVsFixed(fn: () => number): { stockMs: number; fixedMs: number } {
  const stockMs = fn();
  const fix = installFastTransposedMatMul();
  try {
    return { stockMs, fixedMs: fn() };
  } finally {
    fix.uninstall();
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

interface KernelRow {
  layer: string;
  op: 'plain' | 'transA' | 'transB';
  product: string;
  call: string;
  stockMs: number;
  fixedMs: number;
  speedup: number;
}

function kernelRows(): KernelRow[] {
  const rows: KernelRow[] = [];
  let seed = 1;
  for (const [layer, nIn, nOut] of LAYERS) {
    const x = tf.randomNormal([BATCH, nIn], 0, 1, 'float32', seed++);
    const w = tf.randomNormal([nIn, nOut], 0, 0.05, 'float32', seed++);
    const dy = tf.randomNormal([BATCH, nOut], 0, 1, 'float32', seed++);
    const cases = [
      ['plain', 'y = x·W', `matMul([${BATCH},${nIn}], [${nIn},${nOut}])`, () => tf.matMul(x, w)],
      ['transB', 'dx = dy·Wᵀ', `matMul([${BATCH},${nOut}], [${nIn},${nOut}], false, true)`, () => tf.matMul(dy, w, false, true)],
      ['transA', 'dW = xᵀ·dy', `matMul([${BATCH},${nIn}], [${BATCH},${nOut}], true, false)`, () => tf.matMul(x, dy, true, false)],
    ] as const;
    for (const [op, product, call, run] of cases) {
      const { stockMs, fixedMs } = stockVsFixed(() => msPerCall(run));
      rows.push({ layer, op, product, call, stockMs: round3(stockMs), fixedMs: round3(fixedMs), speedup: round3(stockMs / fixedMs) });
    }
    tf.dispose([x, w, dy]);
  }
  return rows;
}

/** A 784→400→40 encoder and 20→400→784 decoder of fused dense layers; returns ms per tf.grads call. */
function trainingStep(): { stockMs: number; fixedMs: number; speedup: number } {
  const params: tf.Tensor[] = [];
  let seed = 100;
  const dense = (nIn: number, nOut: number) => {
    params.push(tf.randomNormal([nIn, nOut], 0, Math.sqrt(2 / nIn), 'float32', seed++));
    params.push(tf.randomNormal([nOut], 0, 0.01, 'float32', seed++));
  };
  dense(784, 400);
  dense(400, 40);
  dense(20, 400);
  dense(400, 784);
  const x = tf.randomUniform([BATCH, 784], 0, 1, 'float32', seed++);
  const eps = tf.randomNormal([BATCH, 20], 0, 1, 'float32', seed++);

  const loss = (...p: tf.Tensor[]): tf.Scalar => {
    const [w1, b1, w2, b2, w3, b3, w4, b4] = p as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    const h = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' });
    const head = tf.fused.matMul({ a: h, b: w2, bias: b2 });
    const [mu, logVar] = tf.split(head, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D;
    const g = tf.fused.matMul({ a: z, b: w3, bias: b3, activation: 'relu' });
    const logits = tf.fused.matMul({ a: g, b: w4, bias: b4 });
    const rec = tf.losses.sigmoidCrossEntropy(x, logits, undefined, 0, tf.Reduction.SUM) as tf.Scalar;
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mu), tf.exp(logVar))))) as tf.Scalar;
    return tf.div(tf.add(rec, kl), BATCH) as tf.Scalar;
  };
  const grads = tf.grads(loss);
  const result = stockVsFixed(() => msPerCall(() => tf.tidy(() => grads(params))));
  tf.dispose([...params, x, eps]);
  return { stockMs: round3(result.stockMs), fixedMs: round3(result.fixedMs), speedup: round3(result.stockMs / result.fixedMs) };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const kernels = kernelRows();
  const step = trainingStep();
  const report = {
    backend: tf.getBackend(),
    tfjsCore: tf.version_core,
    node: process.version,
    batch: BATCH,
    rounds: ROUNDS,
    roundMs: ROUND_MS,
    kernels,
    trainingStep: { model: '784→400→40 | 20→400→784, fused dense, tf.grads over 8 params', ...step },
  };
  console.log(JSON.stringify(report, null, 2));
  console.log('\nms per call, wasm backend, batch 128 (stock vs installFastTransposedMatMul)');
  console.table(
    kernels.map(({ layer, op, product, stockMs, fixedMs, speedup }) => ({ layer, op, product, stockMs, fixedMs, speedup })),
  );
  console.log('training-step-like tf.grads');
  console.table([{ stockMs: step.stockMs, fixedMs: step.fixedMs, speedup: step.speedup }]);
}

await main();
