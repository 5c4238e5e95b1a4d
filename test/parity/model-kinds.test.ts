/**
 * Parity for the graph kinds the exporter emits besides the shipped MLP: a conv CVAE (Conv /
 * ConvTranspose nodes, extra input `c`) and an MLP with a gaussian-learned likelihood (decoder
 * outputs mean and logvar_x) — small real models in test/fixtures/models (make-fixtures.sh).
 * Each is loaded with the SDK by onnxruntime-node cpu (the reference), by onnxruntime-web wasm
 * in Node (from the static server, by URL) and by onnxruntime-web in headless Chromium (wasm and
 * webgpu), and computes the same quantities (model-kind-quantities.ts) on real test digits and
 * seeded prior draws; they are compared under the suite's tolerances (compare.ts). Prints a table
 * (model × runtime × quantity → max |Δ|, ✓/✗). Browser tests fail (never skip) without Chromium.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';
import type { Browser } from 'playwright-core';
import { Vae, type LoadOptions } from '../../src/index.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { ortWebBackend } from '../../src/runtime/ort-web.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import { launchChromium } from '../browser/chromium.js';
import { ROOT, bundlePageRunner } from './bundle.js';
import { RTOL, TOLERANCES, checkQuantity, formatCell, formatTable, ruleFor, type QuantityCheck, type Tolerance, type ToleranceClass } from './compare.js';
import type { Quantities } from './conformance.js';
import { DIGITS, PRIOR_COUNT, PRIOR_SEEDS, runModelKind, type ModelKindInput } from './model-kind-quantities.js';
import { runModelKindPage } from './runners/browser.js';

const FIXTURES = 'test/fixtures/models/';
// This file's own page bundle: parity.test.ts builds dist/parity-runner.js at the same time.
const PAGE = 'dist/parity-model-kinds.html';
const SCRIPT = 'parity-model-kinds.js';

interface ModelKind {
  name: 'conv-cvae' | 'mlp-gaussian-learned';
  /** Op names the graphs must hold (so the fixture really is this kind). */
  ops: { encoder: string[]; decoder: string[] };
  /** The decoder output besides the mean. */
  second: 'logits' | 'logvarX';
}

const MODELS: ModelKind[] = [
  { name: 'conv-cvae', ops: { encoder: ['Conv'], decoder: ['ConvTranspose'] }, second: 'logits' },
  { name: 'mlp-gaussian-learned', ops: { encoder: ['MatMul'], decoder: ['MatMul'] }, second: 'logvarX' },
];

interface Input extends ModelKindInput {
  indices: number[];
}

interface Result {
  provider: string;
  quantities: Quantities;
  /** The conditional model's decoder mean with every class shifted by one (for the c check). */
  shiftedMean?: number[];
  warnings: string[];
  ms: number;
}

const RUNTIMES = ['ort-node cpu', 'ort-web wasm (node)', 'chromium wasm', 'chromium webgpu'] as const;
type RuntimeName = (typeof RUNTIMES)[number];
const REFERENCE: RuntimeName = 'ort-node cpu';
const PROVIDER: Record<RuntimeName, string> = { 'ort-node cpu': 'cpu', 'ort-web wasm (node)': 'wasm', 'chromium wasm': 'wasm', 'chromium webgpu': 'webgpu' };
const TOLERANCE: Record<RuntimeName, ToleranceClass> = { 'ort-node cpu': 'cpu', 'ort-web wasm (node)': 'cpu', 'chromium wasm': 'cpu', 'chromium webgpu': 'webgpu' };

let input: Input;
let server: StaticServer | undefined;
let browser: Promise<Browser> | undefined;
const results = new Map<string, Promise<Result>>();
const key = (model: string, runtime: RuntimeName) => `${model} │ ${runtime}`;

async function loadInput(): Promise<Input> {
  const { test } = await loadEmbeddedMnist();
  const labels = test.labels;
  if (!labels) throw new Error('the embedded MNIST test split has no labels; the conditional model needs them');
  const pixels = test.x.length / test.count;
  const indices = Array.from({ length: DIGITS }, (_, i) => Math.round((i * (test.count - 1)) / (DIGITS - 1)));
  const x = indices.flatMap((index) => Array.from(test.x.subarray(index * pixels, (index + 1) * pixels)));
  return { x, labels: indices.map((i) => labels[i]!), indices };
}

async function run(model: ModelKind, runtime: RuntimeName): Promise<Result> {
  if (runtime === 'chromium wasm' || runtime === 'chromium webgpu') {
    const page = await browser!;
    const { indices: _, ...pageInput } = input;
    return runModelKindPage(page, new URL(PAGE, server!.url).href, `${FIXTURES}${model.name}/`, { device: PROVIDER[runtime] as 'wasm' | 'webgpu', threads: 1 }, pageInput);
  }
  const warnings: string[] = [];
  const options: LoadOptions = { strict: true, onWarning: (m) => warnings.push(m) };
  const vae =
    runtime === 'ort-node cpu'
      ? await Vae.load(fileURLToPath(new URL(`../../${FIXTURES}${model.name}/`, import.meta.url)), { ...options, runtime: ortNodeBackend, device: 'cpu' })
      : await Vae.load(new URL(`${FIXTURES}${model.name}/`, server!.url), { ...options, runtime: ortWebBackend, device: 'wasm' });
  return runModelKind(vae, input, warnings);
}

beforeAll(async () => {
  input = await loadInput();
  server = await startStaticServer(ROOT);
  // Chromium starts and the page is bundled while the Node runtimes compute.
  browser = launchChromium();
  const pageReady = Promise.all([browser, bundlePageRunner({ script: SCRIPT, page: PAGE.slice('dist/'.length) })]);
  pageReady.catch(() => {}); // reported by the browser tests
  // One runtime after the other (two cores; the models are small).
  let previous: Promise<unknown> = Promise.resolve();
  for (const runtime of RUNTIMES) {
    for (const model of MODELS) {
      const browserRuntime = runtime.startsWith('chromium');
      const result = previous.catch(() => {}).then(async () => {
        if (browserRuntime) await pageReady;
        return run(model, runtime);
      });
      results.set(key(model.name, runtime), result);
      result.catch(() => {}); // awaited by the tests
      previous = result;
    }
  }
});

afterAll(async () => {
  const settled = await Promise.all([...results].map(async ([name, p]) => [name, await p.catch((e: unknown) => String(e))] as const));
  const rows = settled.map(([name, r]) => {
    const reference = results.get(key(name.split(' │ ')[0]!, REFERENCE));
    return { name, r, reference };
  });
  const quantities = ['encoder.mu', 'encoder.logvar', 'decoder.mean', 'decoder.logits', 'decoder.logvar_x', 'logLikelihood'];
  const table = await Promise.all(
    rows.map(async ({ name, r, reference }) => {
      const ref = await reference?.catch(() => undefined);
      const checks: Record<string, QuantityCheck> = typeof r === 'string' || !ref ? {} : checkAll(r.quantities, ref.quantities, TOLERANCE[name.split(' │ ')[1] as RuntimeName]);
      return {
        runtime: name,
        provider: typeof r === 'string' ? 'FAILED' : r.provider,
        golden: '—',
        ms: typeof r === 'string' ? '—' : r.ms.toFixed(0),
        cells: Object.fromEntries(Object.entries(checks).map(([q, c]) => [q, formatCell(c)])),
      };
    }),
  );
  console.info(`model kinds: parity vs ${REFERENCE} (max |Δ|; ✓ within tolerance, ✗n = n values outside):\n${formatTable(table, quantities)}`);
  await server?.close();
  await (await browser?.catch(() => undefined))?.close();
});

/**
 * compare.ts's cpu class, except log p(x): 1e-3 nats plus RTOL·|ref|. The likelihood graph sums
 * D = 784 float32 terms; the gaussian-learned fixture's log p(x) is about −5 800 nats, where one
 * float32 ulp is 4.9e-4, so a different summation order (MLAS vs wasm) moves it by ~3e-3 — an
 * absolute 1e-3 cannot hold there (it does for bernoulli models, log p(x) ≈ −100).
 */
function ruleOf(quantity: string, tolerance: ToleranceClass): Tolerance | 'exact' {
  return quantity === 'logLikelihood' ? { atol: TOLERANCES[tolerance].logLikelihood.atol, rtol: RTOL } : ruleFor(quantity, tolerance);
}

function checkAll(quantities: Quantities, reference: Quantities, tolerance: ToleranceClass): Record<string, QuantityCheck> {
  return Object.fromEntries(Object.keys(reference).map((q) => [q, checkQuantity(quantities[q], reference[q]!, ruleOf(q, tolerance))]));
}

/** Awaits a runtime's result and checks it against the reference; assertion messages name the numbers. */
async function conforms(model: ModelKind, runtime: RuntimeName): Promise<Result> {
  const result = await results.get(key(model.name, runtime))!;
  expect(result.provider, `${model.name} ${runtime}: provider`).toBe(PROVIDER[runtime]);
  expect(result.warnings, `${model.name} ${runtime}: warnings`).toEqual([]);
  const reference = await results.get(key(model.name, REFERENCE))!;
  expect(Object.keys(result.quantities)).toEqual(Object.keys(reference.quantities));
  const failed = Object.entries(checkAll(result.quantities, reference.quantities, TOLERANCE[runtime]))
    .filter(([, c]) => !c.pass)
    .map(([q, c]) => `${q}: ${c.failures} values outside ${c.rule}, max |Δ| ${c.maxAbsDiff}, worst ${JSON.stringify(c.worst)}`);
  expect(failed, `${model.name}: ${runtime} vs ${REFERENCE}`).toEqual([]);
  return result;
}

/** max |a − b| over two equally long arrays. */
const maxAbsDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe.each(MODELS)('parity across runtimes: $name', (model) => {
  it('the fixture holds the graph kind it is named after', async () => {
    const dir = new URL(`../../${FIXTURES}${model.name}/`, import.meta.url);
    for (const graph of ['encoder', 'decoder'] as const) {
      const bytes = (await readFile(new URL(`${graph}.onnx`, dir))).toString('latin1');
      for (const op of model.ops[graph]) expect(bytes, `${model.name}/${graph}.onnx holds ${op}`).toContain(op);
    }
  });

  it('ort-node cpu (the reference): real inputs, non-trivial outputs', async () => {
    const result = await conforms(model, REFERENCE);
    const q = result.quantities;
    const second = model.second === 'logits' ? 'decoder.logits' : 'decoder.logvar_x';
    expect(Object.keys(q)).toEqual(['encoder.mu', 'encoder.logvar', 'decoder.mean', second, 'logLikelihood']);
    expect(new Set(input.labels).size, 'digits of several classes').toBeGreaterThan(4);
    for (const [name, values] of Object.entries(q)) {
      expect(values.every(Number.isFinite), name).toBe(true);
      // Not constant: the outputs depend on the input row.
      expect(Math.max(...values) - Math.min(...values), name).toBeGreaterThan(1e-3);
    }
    expect(q['encoder.mu']).toHaveLength(DIGITS * 4);
    expect(q['decoder.mean']).toHaveLength(PRIOR_SEEDS.length * PRIOR_COUNT * 784);
    expect(q['logLikelihood']).toHaveLength(DIGITS);
    if (model.second === 'logvarX') {
      // logvar_x respects the manifest's floor and is not pinned to it everywhere.
      const logvarX = q['decoder.logvar_x']!;
      expect(Math.min(...logvarX)).toBeGreaterThanOrEqual(-6 - 1e-6);
      expect(logvarX.some((v) => v > -6 + 1e-3)).toBe(true);
    } else {
      // The conditional model's output depends on c: every class shifted by one changes the means.
      expect(maxAbsDiff(result.shiftedMean!, q['decoder.mean']!)).toBeGreaterThan(1e-2);
    }
  });

  it.each([
    ['onnxruntime-web wasm in Node', 'ort-web wasm (node)'],
    ['Chromium, onnxruntime-web wasm', 'chromium wasm'],
    ['Chromium, onnxruntime-web webgpu (SwiftShader)', 'chromium webgpu'],
  ] as const)('%s', async (_, runtime) => {
    const result = await conforms(model, runtime);
    if (result.shiftedMean) {
      const reference = await results.get(key(model.name, REFERENCE))!;
      const check = checkQuantity(result.shiftedMean, reference.shiftedMean!, ruleOf('decoder.mean', TOLERANCE[runtime]));
      expect(check.pass, `decoder.mean with shifted c: max |Δ| ${check.maxAbsDiff}`).toBe(true);
    }
  });
});
