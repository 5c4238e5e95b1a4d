/**
 * Batch-256 decode of models/mnist-mlp in headless Chromium, in one run:
 *   - two cross-origin-isolated pages, one with 1 thread and one with 2 (this machine's cores),
 *     each running, rounds interleaved: vaekit (Vae.load, device wasm — the product path — and
 *     with `spinning: false`), bare onnxruntime-web sessions in other graph forms and session
 *     options (the profile behind vaekit's choices), tfjs-backend-wasm (XNNPACK; fused matMul + bias + activation, the form
 *     tfjs-layers' Dense runs) on the same weights, and the roofline: a plain wasm-SIMD GEMM
 *     (bench/wasm-gemm.ts) of the decoder's two GEMMs, split over worker threads by rows on the
 *     2-thread page;
 *   - beside them, as before: Node (onnxruntime-node cpu) and Chromium webgpu (SwiftShader).
 * GFLOP/s counts the two GEMMs only (2·(20·400 + 400·784) = 643 200 FLOP a sample); bias,
 * ReLU, sigmoid and handing the outputs to JavaScript are extra work the runtimes do and the
 * roofline does not; the row 'output copies only' measures the last (two fresh 0.8 MB arrays
 * filled from a shared wasm heap) on its own.
 * Prints JSON, then tables. `npx tsx bench/browser-decode.ts [--rounds 5] [--round-ms 1000]` (after `npm run build`).
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { startStaticServer } from '../scripts/static-server.js';
import { ortNodeBackend } from '../src/runtime/ort-node.js';
import { Vae } from '../src/vae/vae.js';
import { launchChromium } from '../test/browser/chromium.js';
import { bundlePageRunner, PAGE, ROOT } from '../test/parity/bundle.js';
import type { OrtVariant, SetupConfig } from './browser-decode-page.js';
import { decoderInForm, floatInitializers, type GraphForm } from './decoder-variants.js';
import { gemmModule, packPanels } from './wasm-gemm.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'round-ms': { type: 'string', default: '1000' } } });
const BATCH = 256;
const ROUNDS = Number(args.rounds);
const ROUND_MS = Number(args['round-ms']);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const loadAtStart = load();

async function nodeCpu(): Promise<number> {
  const vae = await Vae.load(`${ROOT}models/mnist-mlp`, { runtime: ortNodeBackend, device: 'cpu' });
  const z = new Float32Array(BATCH * vae.latentDim).map((_, i) => Math.sin(i) * 1.5);
  const input = { data: z, shape: [BATCH, vae.latentDim] };
  for (let i = 0; i < 5; i++) await vae.decode(input);
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < ROUND_MS || calls < 3) {
      await vae.decode(input);
      calls++;
    }
    rates.push((calls * BATCH * 1000) / (performance.now() - start));
  }
  await vae.dispose();
  return median(rates);
}

// — The decoder's weights and shapes, read from the shipped graph —
const decoderBytes = readFileSync(`${ROOT}models/mnist-mlp/decoder.onnx`);
const inits = floatInitializers(decoderBytes);
const weight = (name: string) => {
  const w = inits.get(name);
  if (!w) throw new Error(`decoder.onnx has no initializer '${name}' (have ${[...inits.keys()].join(', ')})`);
  return w;
};
const W1 = weight('decoder_dense_1/kernel');
const W2 = weight('decoder_output/kernel');
const [LATENT, HIDDEN] = W1.dims as [number, number];
const OUT = W2.dims[1]!;
const FLOP_PER_SAMPLE = 2 * (LATENT * HIDDEN + HIDDEN * OUT);
const b64 = (a: Float32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const GEMM_PAGES = Math.ceil((4 * (BATCH * LATENT + LATENT * HIDDEN + BATCH * HIDDEN + HIDDEN * OUT + BATCH * OUT)) / 65536);
const gemm = await gemmModule([[LATENT, HIDDEN], [HIDDEN, OUT]], GEMM_PAGES);

// — Bare onnxruntime-web sessions: vaekit's options on other builds and graph forms, and other options —
const forms: Record<GraphForm, string> = {
  'matmul-add': b64(decoderBytes),
  gemm: b64(decoderInForm(decoderBytes, 'gemm')),
  'gemm-transB': b64(decoderInForm(decoderBytes, 'gemm-transB')),
};
const ALL = { graphOptimizationLevel: 'all' };
const NO_SPIN = { extra: { session: { intra_op: { allow_spinning: '0' } } } };
const variants = (): OrtVariant[] => [
  { name: 'ort jsep, MatMul+Add, all', build: 'jsep', model: forms['matmul-add'], options: ALL },
  { name: 'ort jsep, MatMul+Add, disabled', build: 'jsep', model: forms['matmul-add'], options: { graphOptimizationLevel: 'disabled' } },
  { name: 'ort jsep, MatMul+Add, all, N=256', build: 'jsep', model: forms['matmul-add'], options: { ...ALL, freeDimensionOverrides: { N: BATCH } } },
  { name: 'ort jsep, MatMul+Add, all, no spinning', build: 'jsep', model: forms['matmul-add'], options: { ...ALL, ...NO_SPIN } },
  { name: 'ort jsep, Gemm, all', build: 'jsep', model: forms.gemm, options: ALL },
  { name: 'ort jsep, Gemm transB, all', build: 'jsep', model: forms['gemm-transB'], options: ALL },
  { name: 'ort wasm, MatMul+Add, all', build: 'wasm', model: forms['matmul-add'], options: ALL },
];

const SCRIPT = 'decode-bench-runner.js';
const HTML = 'decode-bench.html';
await bundlePageRunner({ script: SCRIPT, page: HTML, entry: new URL('./browser-decode-page.ts', import.meta.url) });
// The page loads tfjs (tf-core, then tf-backend-wasm: UMD scripts, global `tf`) before the bundle.
await writeFile(
  new URL(`../dist/${HTML}`, import.meta.url),
  `<!doctype html><meta charset="utf-8"><title>vaekit decode bench</title>
<script src="/node_modules/@tensorflow/tfjs-core/dist/tf-core.min.js"></script>
<script src="/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js"></script>
<script type="module" src="./${SCRIPT}"></script>\n`,
);

const isolated = await startStaticServer(ROOT, { isolated: true });
const browser = await launchChromium();

interface BenchPage {
  threads: number;
  page: Page;
  info: Record<string, unknown>;
  runtimes: string[];
  rates: Map<string, number[]>;
}
async function openBenchPage(threads: number): Promise<BenchPage> {
  const page = await browser.newPage();
  // tfjs-backend-wasm caps its XNNPACK threads at navigator.hardwareConcurrency / 2 (it assumes
  // two hardware threads per core), i.e. 1 on this 2-core machine whatever setThreadsCount says;
  // the page reports twice the thread count so that tfjs runs `threads` threads like the others.
  if (threads > 1) await page.addInitScript({ content: `Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => ${2 * threads} });` });
  page.on('pageerror', (e) => console.error(`page (${threads} threads): ${e.message}`));
  await page.goto(new URL(`dist/${HTML}`, isolated.url).href);
  await page.waitForFunction(() => typeof (globalThis as { vaekitDecodeBench?: unknown }).vaekitDecodeBench === 'object');
  const config: SetupConfig = {
    threads,
    batch: BATCH,
    weights: { W1: b64(W1.data), b1: b64(weight('decoder_dense_1/bias').data), W2: b64(W2.data), b2: b64(weight('decoder_output/bias').data), latent: LATENT, hidden: HIDDEN, out: OUT },
    packed: { W1: b64(packPanels(W1.data, LATENT, HIDDEN)), W2: b64(packPanels(W2.data, HIDDEN, OUT)) },
    gemm: { module: b64(gemm), pages: GEMM_PAGES },
    variants: variants(),
  };
  const info = await page.evaluate((c) => (globalThis as unknown as { vaekitDecodeBench: { setup(c: unknown): Promise<Record<string, unknown>> } }).vaekitDecodeBench.setup(c), config);
  const runtimes = await page.evaluate(() => (globalThis as unknown as { vaekitDecodeBench: { runtimes(): string[] } }).vaekitDecodeBench.runtimes());
  if (info['tfjsThreads'] !== threads) throw new Error(`tfjs-backend-wasm runs ${String(info['tfjsThreads'])} threads on the ${threads}-thread page`);
  const agreement = info['agreement'] as Record<string, number>;
  for (const [name, d] of Object.entries(agreement)) {
    if (!(d <= 1e-5)) throw new Error(`${name} (${threads} threads) disagrees with vaekit's decoder mean: max |Δ| ${d}`);
  }
  return { threads, page, info, runtimes, rates: new Map(runtimes.map((r) => [r, []])) };
}

// Both pages open side by side; every round measures every runtime of both, in a rotated order.
const pages = [await openBenchPage(1), await openBenchPage(2)];
for (let r = 0; r < ROUNDS; r++) {
  for (const p of pages) {
    for (let i = 0; i < p.runtimes.length; i++) {
      const name = p.runtimes[(i + r) % p.runtimes.length]!;
      const rate = await p.page.evaluate(
        ([n, ms]) => (globalThis as unknown as { vaekitDecodeBench: { measure(n: string, ms: number): Promise<number> } }).vaekitDecodeBench.measure(n, ms),
        [name, ROUND_MS] as const,
      );
      p.rates.get(name)!.push(rate);
    }
  }
  process.stderr.write(`browser-decode: round ${r + 1}/${ROUNDS}\n`);
}

/** onnxruntime-web's per-node kernel times (µs, median over the runs) on the 1-thread page, from its profile. */
async function ortProfile(page: Page, runs: number): Promise<Record<string, { opType: string; medianUs: number }>> {
  const lines: string[] = [];
  const listen = (m: { text(): string }) => lines.push(m.text());
  page.on('console', listen);
  await page.evaluate(
    ([m, n]) => (globalThis as unknown as { vaekitDecodeBench: { profile(m: string, n: number): Promise<void> } }).vaekitDecodeBench.profile(m, n),
    [forms['matmul-add'], runs] as const,
  );
  page.off('console', listen);
  const times = new Map<string, { opType: string; us: number[] }>();
  for (const line of lines) {
    for (const entry of line.split('\n')) {
      const event = /^\{.*"cat" ?: ?"Node".*\}/.test(entry.trim()) ? (JSON.parse(entry.trim().replace(/,$/, '')) as { name: string; dur: number; args: { op_name?: string } }) : null;
      if (!event?.name.endsWith('_kernel_time')) continue;
      const name = event.name.slice(0, -'_kernel_time'.length);
      const t = times.get(name) ?? times.set(name, { opType: event.args.op_name ?? '?', us: [] }).get(name)!;
      t.us.push(event.dur);
    }
  }
  if (times.size === 0) throw new Error(`onnxruntime-web printed no profile (${lines.length} console lines)`);
  return Object.fromEntries([...times].map(([name, t]) => [name, { opType: t.opType, medianUs: median(t.us) }]));
}
const profile = await ortProfile(pages[0]!.page, 50);
for (const p of pages) await p.page.close();

// The earlier rows: Node cpu, and webgpu through the parity page (SwiftShader).
await bundlePageRunner();
async function webgpuInPage(): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.goto(new URL(PAGE, isolated.url).href);
    await page.waitForFunction(() => typeof (globalThis as { vaekitThroughput?: unknown }).vaekitThroughput === 'function');
    const result = await page.evaluate(
      ([o, r]) => (globalThis as unknown as { vaekitThroughput(o: unknown, r: unknown): Promise<{ samplesPerSec: number }> }).vaekitThroughput(o, r),
      [{ device: 'webgpu', strict: true }, { batch: BATCH, rounds: ROUNDS, roundMs: ROUND_MS }] as const,
    );
    return result.samplesPerSec;
  } finally {
    await page.close();
  }
}
const webgpu = await webgpuInPage();
await browser.close();
await isolated.close();
const node = await nodeCpu();

const round2 = (x: number) => Math.round(x * 100) / 100;
const perPage = pages.map((p) => {
  const med = new Map([...p.rates].map(([n, xs]) => [n, median(xs)]));
  const roof = med.get('roofline')!;
  const tfjs = med.get('tfjs-wasm')!;
  return {
    threads: p.threads,
    page: p.info,
    rows: [...med].map(([runtime, samplesPerSec]) => ({
      runtime,
      samplesPerSec: Math.round(samplesPerSec),
      gflops: round2((samplesPerSec * FLOP_PER_SAMPLE) / 1e9),
      ofRoofline: round2(samplesPerSec / roof),
      vsTfjsWasm: round2(samplesPerSec / tfjs),
      rounds: p.rates.get(runtime)!.map(Math.round),
    })),
  };
});
const vaekitRow = (threads: number) => perPage.find((p) => p.threads === threads)!.rows.find((r) => r.runtime === 'vaekit')!;
const report = {
  benchmark: 'browser-decode',
  model: `models/mnist-mlp decoder ${LATENT} → ${HIDDEN} → ${OUT}, batch ${BATCH}`,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  loadAverage: { start: loadAtStart, end: load() },
  rounds: ROUNDS,
  roundMs: ROUND_MS,
  flopPerSample: FLOP_PER_SAMPLE,
  roofline: 'plain wasm-SIMD GEMM (f32x4 mul + add, 4×8 register tile, packed weights; bench/wasm-gemm.ts), both GEMMs, no bias/activation, result left in wasm memory; 2 threads = rows split over 2 workers',
  pages: perPage,
  ortProfile1Thread: profile,
  goals: Object.fromEntries(
    [1, 2].map((t) => [`${t} thread${t > 1 ? 's' : ''}`, { vsTfjsWasm: vaekitRow(t).vsTfjsWasm, ofRoofline: vaekitRow(t).ofRoofline, met: vaekitRow(t).vsTfjsWasm >= 1 && vaekitRow(t).ofRoofline >= 0.5 }]),
  ),
  goal: 'vaekit browser wasm decode ≥ 1.0× tfjs-backend-wasm in the same page and ≥ 0.5 of the page’s GEMM roofline',
  samplesPerSec: { nodeCpu: Math.round(node), chromiumWebgpu: Math.round(webgpu) },
  note: 'webgpu here is SwiftShader (a CPU Vulkan implementation), not a GPU',
};
console.log(JSON.stringify(report, null, 2));
for (const p of perPage) {
  console.log(`Chromium, one cross-origin-isolated page, ${p.threads} thread${p.threads > 1 ? 's' : ''} (medians of ${ROUNDS} interleaved rounds):`);
  console.table(p.rows.map(({ rounds: _, ...row }) => row));
}
console.log('onnxruntime-web profile of the shipped decoder, vaekit options, 1 thread (median µs per batch-256 run; graph as optimized):');
console.table(Object.entries(profile).map(([node, t]) => ({ node, opType: t.opType, medianUs: t.medianUs })));
console.table([
  { runtime: 'Node, onnxruntime-node cpu', samplesPerSec: report.samplesPerSec.nodeCpu },
  { runtime: 'Chromium, onnxruntime-web webgpu (SwiftShader)', samplesPerSec: report.samplesPerSec.chromiumWebgpu },
]);
