/**
 * bench/browser-decode.ts's page code (bundled into dist/ by test/parity/bundle.ts): in one
 * cross-origin-isolated page, batch-256 decode of models/mnist-mlp by vaekit (Vae.load, the
 * product path), by bare onnxruntime-web sessions in other forms and options (the profile), by
 * tfjs-backend-wasm (tf-core and tf-backend-wasm UMD scripts loaded by the page before this one)
 * on the same weights, and the wasm-SIMD GEMM roofline of the decoder's two GEMMs.
 * `vaekitDecodeBench.setup(config)` once, then `measure(name, ms)` per round.
 */
import * as ortJsep from 'onnxruntime-web';
import { Vae } from '../src/web.js';

export interface OrtVariant {
  name: string;
  /** 'jsep' = onnxruntime-web (vaekit's `vaekit` entry), 'wasm' = onnxruntime-web/wasm (`vaekit/wasm`). */
  build: 'jsep' | 'wasm';
  /** Base64 of the graph. */
  model: string;
  options: Record<string, unknown>;
}

export interface SetupConfig {
  threads: number;
  batch: number;
  /** Base64 float32 little-endian weights: W1 [20×400], b1, W2 [400×784], b2. */
  weights: { W1: string; b1: string; W2: string; b2: string; latent: number; hidden: number; out: number };
  /** W1 and W2 packed for the GEMM module (wasm-gemm.ts packPanels). */
  packed: { W1: string; W2: string };
  /** Base64 of the GEMM module (wasm-gemm.ts), memory pages it imports. */
  gemm: { module: string; pages: number };
  variants: OrtVariant[];
}

interface Tf {
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  tensor1d(values: Float32Array): TfTensor;
  tidy<T>(fn: () => T): T;
  sigmoid(x: TfTensor): TfTensor;
  dispose(x: unknown): void;
  fused: { matMul(o: { a: TfTensor; b: TfTensor; bias?: TfTensor; activation?: string }): TfTensor };
  wasm: { setWasmPaths(prefix: string): void; setThreadsCount(n: number): void; getThreadsCount(): number };
}
interface TfTensor {
  dataSync(): Float32Array;
}

const bytesOf = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const floatsOf = (b64: string): Float32Array => {
  const b = bytesOf(b64);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/** One decode of the batch: the runtimes under test, each returning the mean (for the agreement check). */
type Runner = () => Promise<Float32Array> | Float32Array;
const runners = new Map<string, Runner>();
let batch = 0;

function zBatch(n: number, latent: number): Float32Array {
  return new Float32Array(n * latent).map((_, i) => Math.sin(i) * 1.5);
}

/** The roofline: C = relu-less Z·W1 then H·W2 in the GEMM module, on this thread or split over worker threads by rows. */
async function gemmRunner(config: SetupConfig, z: Float32Array): Promise<Runner> {
  const { latent: K1, hidden: N1, out: N2 } = config.weights;
  const M = config.batch;
  const memory = new WebAssembly.Memory({ initial: config.gemm.pages, maximum: config.gemm.pages, shared: true });
  const module = await WebAssembly.compile(bytesOf(config.gemm.module));
  const f32 = new Float32Array(memory.buffer);
  let offset = 0;
  const alloc = (n: number) => ((offset += n * 4), offset - n * 4);
  const p = { Z: alloc(M * K1), W1: alloc(K1 * N1), H: alloc(M * N1), W2: alloc(N1 * N2), C: alloc(M * N2) };
  if (offset > config.gemm.pages * 65536) throw new Error(`gemm: ${offset} bytes do not fit ${config.gemm.pages} pages`);
  f32.set(z, p.Z / 4);
  f32.set(floatsOf(config.packed.W1), p.W1 / 4);
  f32.set(floatsOf(config.packed.W2), p.W2 / 4);
  const g1 = `gemm_${K1}x${N1}`;
  const g2 = `gemm_${N1}x${N2}`;
  // The GEMMs only: the result stays in the module's memory (a view, no copy out).
  const result = () => f32.subarray(p.C / 4, p.C / 4 + M * N2);
  if (config.threads <= 1) {
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const e = instance.exports as Record<string, (...a: number[]) => void>;
    return () => {
      e[g1]!(p.Z, p.W1, p.H, 0, M);
      e[g2]!(p.H, p.W2, p.C, 0, M);
      return result();
    };
  }
  // Rows split over `threads` workers: row i of H needs only row i of Z, so both GEMMs run without a barrier.
  const source = `let e;onmessage=async(m)=>{const d=m.data;if(d.module){e=(await WebAssembly.instantiate(d.module,{env:{memory:d.memory}})).exports;postMessage(0);return}
e[d.g1](d.p.Z,d.p.W1,d.p.H,d.m0,d.m1);e[d.g2](d.p.H,d.p.W2,d.p.C,d.m0,d.m1);postMessage(0)}`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const rows = Math.ceil(M / config.threads / 4) * 4;
  const workers = Array.from({ length: config.threads }, () => new Worker(url));
  const call = (w: Worker, message: unknown) =>
    new Promise<void>((done, fail) => {
      w.onmessage = () => done();
      w.onerror = (e) => fail(new Error(e.message));
      w.postMessage(message);
    });
  await Promise.all(workers.map((w) => call(w, { module, memory })));
  return async () => {
    await Promise.all(workers.map((w, t) => call(w, { g1, g2, p, m0: t * rows, m1: Math.min(M, (t + 1) * rows) })));
    return result();
  };
}

async function setup(config: SetupConfig) {
  batch = config.batch;
  const { latent, hidden, out } = config.weights;
  const z = zBatch(batch, latent);

  // vaekit, as a user calls it (threads start onnxruntime-web's JSEP build).
  const vae = await Vae.load(new URL('/models/mnist-mlp/', location.href), { device: 'wasm', threads: config.threads, strict: true });
  const input = { data: z, shape: [batch, latent] };
  runners.set('vaekit', async () => (await vae.decode(input)).mean.data);
  const quiet = await Vae.load(new URL('/models/mnist-mlp/', location.href), { device: 'wasm', threads: config.threads, strict: true, spinning: false });
  runners.set('vaekit, spinning: false', async () => (await quiet.decode(input)).mean.data);

  // Bare sessions. onnxruntime-web/wasm is imported from its own file, not bundled: the JSEP
  // build's thread workers run this bundle, where a second emscripten runtime would take their messages.
  const ortWasm = (await import(new URL('/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs', location.href).href)) as typeof ortJsep;
  ortWasm.env.wasm.wasmPaths = new URL('/node_modules/onnxruntime-web/dist/', location.href).href;
  ortWasm.env.wasm.numThreads = config.threads;
  for (const v of config.variants) {
    const ort = v.build === 'jsep' ? ortJsep : ortWasm;
    const session = await ort.InferenceSession.create(bytesOf(v.model), { executionProviders: ['wasm'], ...v.options });
    runners.set(v.name, async () => {
      const outputs = await session.run({ z: new ort.Tensor('float32', z, [batch, latent]) });
      const mean = outputs['mean']!.data as Float32Array;
      for (const t of Object.values(outputs)) t.dispose();
      return mean;
    });
  }

  // tfjs-backend-wasm (XNNPACK), the layers' fused form: matMul + bias + activation in one op.
  const tf = (globalThis as unknown as { tf: Tf }).tf;
  tf.wasm.setWasmPaths(new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  tf.wasm.setThreadsCount(config.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not start');
  const W1 = tf.tensor2d(floatsOf(config.weights.W1), [latent, hidden]);
  const b1 = tf.tensor1d(floatsOf(config.weights.b1));
  const W2 = tf.tensor2d(floatsOf(config.weights.W2), [hidden, out]);
  const b2 = tf.tensor1d(floatsOf(config.weights.b2));
  runners.set('tfjs-wasm', () => {
    const [logits, mean] = tf.tidy(() => {
      const h = tf.fused.matMul({ a: tf.tensor2d(z, [batch, latent]), b: W1, bias: b1, activation: 'relu' });
      const l = tf.fused.matMul({ a: h, b: W2, bias: b2 });
      return [l, tf.sigmoid(l)] as const;
    });
    logits.dataSync();
    const m = mean.dataSync();
    tf.dispose([logits, mean]);
    return m;
  });

  runners.set('roofline', await gemmRunner(config, z));
  // What a decode pays besides its kernels to hand its two outputs (logits, mean) to JavaScript:
  // two fresh float32 arrays filled from the wasm heap, as onnxruntime-web and tfjs both do.
  const heap = new Float32Array(new SharedArrayBuffer(batch * out * 4));
  runners.set('output copies only', () => {
    const logits = new Float32Array(batch * out);
    logits.set(heap);
    const mean = new Float32Array(batch * out);
    mean.set(heap);
    return mean;
  });

  // Agreement with vaekit's mean (the roofline computes logits without bias and relu: not compared).
  const reference = await runners.get('vaekit')!();
  const agreement: Record<string, number> = {};
  for (const [name, run] of runners) {
    if (name === 'roofline' || name === 'output copies only') continue;
    const m = await run();
    let d = 0;
    for (let i = 0; i < m.length; i++) d = Math.max(d, Math.abs(m[i]! - reference[i]!));
    agreement[name] = d;
  }
  return {
    crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    tfjsBackend: tf.getBackend(),
    tfjsThreads: tf.wasm.getThreadsCount(),
    vaekitProvider: vae.provider.decoder,
    agreement,
    userAgent: navigator.userAgent,
  };
}

/**
 * onnxruntime-web's own profile of the shipped graph with vaekit's options (`enableProfiling`):
 * `runs` decodes, then the profile, which onnxruntime-web prints to the console as Chrome-trace
 * JSON (bench/browser-decode.ts collects it from there).
 */
async function profile(model: string, runs: number): Promise<void> {
  const session = await ortJsep.InferenceSession.create(bytesOf(model), { executionProviders: ['wasm'], graphOptimizationLevel: 'all', enableProfiling: true });
  const z = zBatch(batch, 20);
  for (let i = 0; i < runs; i++) await session.run({ z: new ortJsep.Tensor('float32', z, [batch, 20]) });
  session.endProfiling();
  await session.release();
}

/** Decodes with `name` for at least `ms` (and 3 calls); samples/s. Warm-up: call once first. */
async function measure(name: string, ms: number): Promise<number> {
  const run = runners.get(name);
  if (!run) throw new Error(`no runtime '${name}' (have ${[...runners.keys()].join(', ')})`);
  await run();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < ms || calls < 3) {
    await run();
    calls++;
  }
  return (calls * batch * 1000) / (performance.now() - start);
}

(globalThis as { vaekitDecodeBench?: unknown }).vaekitDecodeBench = { setup, measure, profile, runtimes: () => [...runners.keys()] };
