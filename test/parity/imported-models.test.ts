/**
 * Parity for models brought from PyTorch with `vaekit import`: the three fixtures in
 * test/fixtures/pytorch-import (a conv VAE on NCHW images whose decoder outputs logits only, an
 * MLP exported with its batch fixed at 1, an MLP whose encoder has a third, Keras-style output).
 * beforeAll imports each with importVae on onnxruntime-node against PyTorch's own reference
 * outputs (the import must pass) and writes the manifest it inferred beside the graphs in a
 * temporary folder under the static server's root, so that every runtime loads the very same
 * model by URL: onnxruntime-node cpu (the reference), onnxruntime-web wasm in Node and
 * onnxruntime-web in headless Chromium (wasm and webgpu). Each computes the same quantities
 * (model-kind-quantities.ts with `allMethods`: encode μ / log σ², decode on seeded prior draws,
 * sample, reconstruct, elbo, log p(x)) on the fixture's own reference rows, compared under the
 * suite's tolerances (compare.ts). What the SDK does for these graphs must hold everywhere:
 * the mean derived from logits, requests run in chunks of the fixed batch (vae.info), the extra
 * output never named. And onnxruntime-node through the SDK reproduces PyTorch's outputs
 * (reference/*.npy) within 1e-5 + 1.3e-6·|ref|: the import changes nothing the author computed.
 * Prints a table (fixture × runtime × quantity → max |Δ|, ✓/✗). Browser tests fail (never skip)
 * without Chromium.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'npyjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importVae, type ImportedVae } from '../../export/import/import-vae.js';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';
import { Vae, type LoadOptions } from '../../src/index.js';
import { MANIFEST_FILE } from '../../src/manifest/schema.js';
import type { TensorData } from '../../src/runtime/backend.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { ortWebBackend } from '../../src/runtime/ort-web.js';
import { launchChromium } from '../browser/chromium.js';
import { ROOT, bundlePageRunner } from './bundle.js';
import { RTOL, TOLERANCES, checkQuantity, formatCell, formatTable, ruleFor, type QuantityCheck, type Tolerance, type ToleranceClass } from './compare.js';
import type { Quantities } from './conformance.js';
import { DIGITS, PRIOR_COUNT, PRIOR_SEEDS, SAMPLE, runModelKind, type ModelKindInput, type ModelKindOptions, type ModelKindRun } from './model-kind-quantities.js';
import { runModelKindPage } from './runners/browser.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/pytorch-import/', import.meta.url));
// This file's own page bundle: parity.test.ts and model-kinds.test.ts build theirs at the same time.
const PAGE = 'dist/parity-imported.html';
const SCRIPT = 'parity-imported.js';
const QUANTITY_OPTIONS: ModelKindOptions = { allMethods: true };
/** vaekit export's and vaekit import's float32 tolerance (torch.testing's defaults). */
const PYTORCH_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1.3e-6 };

interface Fixture {
  name: 'conv-nchw-logits' | 'mlp-fixed-batch' | 'mlp-extra-output';
  /** What importVae must infer from the graphs. */
  manifest: {
    shape: number[];
    layout: 'chw' | 'features';
    encoder: { inputs: Record<string, string>; outputs: Record<string, string> };
    decoder: { inputs: Record<string, string>; outputs: Record<string, string> };
  };
  /** What vae.info must report in every runtime. */
  info: { fixedBatch: { encoder: number | null; decoder: number | null }; derivedMean: boolean };
}

const FIXTURE_LIST: Fixture[] = [
  {
    name: 'conv-nchw-logits',
    manifest: {
      shape: [1, 28, 28],
      layout: 'chw',
      encoder: { inputs: { x: 'x' }, outputs: { mu: 'mu', logvar: 'logvar' } },
      decoder: { inputs: { z: 'z' }, outputs: { logits: 'logits' } },
    },
    info: { fixedBatch: { encoder: null, decoder: null }, derivedMean: true },
  },
  {
    name: 'mlp-fixed-batch',
    manifest: {
      shape: [784],
      layout: 'features',
      encoder: { inputs: { x: 'input.1' }, outputs: { mu: 'mu', logvar: 'logvar' } },
      decoder: { inputs: { z: 'input.1' }, outputs: { mean: 'recon' } },
    },
    info: { fixedBatch: { encoder: 1, decoder: 1 }, derivedMean: false },
  },
  {
    name: 'mlp-extra-output',
    manifest: {
      shape: [784],
      layout: 'features',
      encoder: { inputs: { x: 'x' }, outputs: { mu: 'z_mean', logvar: 'z_log_var' } },
      decoder: { inputs: { z: 'latent' }, outputs: { mean: 'x_decoded_mean' } },
    },
    info: { fixedBatch: { encoder: null, decoder: null }, derivedMean: false },
  },
];

type Reference = { encoder: Record<string, TensorData>; decoder: Record<string, TensorData> };

interface Imported {
  imported: ImportedVae;
  reference: Reference;
  input: ModelKindInput;
  /** The folder the runtimes load, relative to the server root (ends in '/'). */
  path: string;
}

/** ort-node's SDK results on PyTorch's own decoder input (reference/decoder/<z>.npy). */
interface PytorchDecode {
  mean: number[];
  logits?: number[];
}

const RUNTIMES = ['ort-node cpu', 'ort-web wasm (node)', 'chromium wasm', 'chromium webgpu'] as const;
type RuntimeName = (typeof RUNTIMES)[number];
const REFERENCE: RuntimeName = 'ort-node cpu';
const PROVIDER: Record<RuntimeName, string> = { 'ort-node cpu': 'cpu', 'ort-web wasm (node)': 'wasm', 'chromium wasm': 'wasm', 'chromium webgpu': 'webgpu' };
const TOLERANCE: Record<RuntimeName, ToleranceClass> = { 'ort-node cpu': 'cpu', 'ort-web wasm (node)': 'cpu', 'chromium wasm': 'cpu', 'chromium webgpu': 'webgpu' };

let folder: string | undefined;
let server: StaticServer | undefined;
let browser: Promise<Browser> | undefined;
const imports = new Map<string, Promise<Imported>>();
const results = new Map<string, Promise<ModelKindRun>>();
const pytorchDecodes = new Map<string, Promise<PytorchDecode>>();
const key = (fixture: string, runtime: RuntimeName) => `${fixture} │ ${runtime}`;

/** reference/encoder/*.npy and reference/decoder/*.npy of a fixture, by tensor name. */
async function readReference(fixture: string): Promise<Reference> {
  const out: Reference = { encoder: {}, decoder: {} };
  for (const graph of ['encoder', 'decoder'] as const) {
    const dir = join(FIXTURES, fixture, 'reference', graph);
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.npy'))) {
      const bytes = await readFile(join(dir, file));
      const array = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      if (!(array.data instanceof Float32Array)) throw new Error(`${fixture}/reference/${graph}/${file}: expected float32, found ${array.dtype}`);
      out[graph][file.slice(0, -'.npy'.length)] = { data: array.data, dims: array.shape };
    }
  }
  return out;
}

/** Imports a fixture with its reference on onnxruntime-node and writes graphs + manifest under the server root. */
async function importFixture(fixture: Fixture): Promise<Imported> {
  const dir = join(FIXTURES, fixture.name);
  const reference = await readReference(fixture.name);
  const [encoder, decoder] = await Promise.all([readFile(join(dir, 'encoder.onnx')), readFile(join(dir, 'decoder.onnx'))]);
  const imported = await importVae({ encoder, decoder, name: fixture.name, backend: ortNodeBackend, reference });
  const out = join(folder!, fixture.name);
  await mkdir(out);
  const { graphs } = imported.manifest;
  await writeFile(join(out, MANIFEST_FILE), JSON.stringify(imported.manifest, null, 2));
  await writeFile(join(out, graphs.encoder.file), imported.graphs.encoder);
  await writeFile(join(out, graphs.decoder.file), imported.graphs.decoder);
  const x = reference.encoder[graphs.encoder.inputs['x']!];
  if (!x || x.dims[0] !== DIGITS) throw new Error(`${fixture.name}: reference/encoder/${graphs.encoder.inputs['x']}.npy must hold ${DIGITS} rows; found [${x?.dims.join(', ')}]`);
  // The reference rows are the last held-out digit of classes 0–7 (README.md); the labels are unused (unconditional).
  const input = { x: Array.from(x.data), labels: Array.from({ length: DIGITS }, (_, i) => i) };
  return { imported, reference, input, path: `${relative(ROOT, out).split('\\').join('/')}/` };
}

async function run(fixture: Fixture, runtime: RuntimeName): Promise<ModelKindRun> {
  const { input, path } = await imports.get(fixture.name)!;
  if (runtime === 'chromium wasm' || runtime === 'chromium webgpu') {
    return runModelKindPage(await browser!, new URL(PAGE, server!.url).href, path, { device: PROVIDER[runtime] as 'wasm' | 'webgpu', threads: 1 }, input, QUANTITY_OPTIONS);
  }
  const warnings: string[] = [];
  const options: LoadOptions = { strict: true, onWarning: (m) => warnings.push(m) };
  const url = new URL(path, server!.url);
  const vae =
    runtime === 'ort-node cpu'
      ? await Vae.load(url, { ...options, runtime: ortNodeBackend, device: 'cpu' })
      : await Vae.load(url, { ...options, runtime: ortWebBackend, device: 'wasm' });
  return runModelKind(vae, input, warnings, QUANTITY_OPTIONS);
}

/** The SDK on onnxruntime-node decoding PyTorch's own latent rows. */
async function decodePytorchRows(fixture: Fixture): Promise<PytorchDecode> {
  const { imported, reference, path } = await imports.get(fixture.name)!;
  const z = reference.decoder[imported.manifest.graphs.decoder.inputs['z']!]!;
  const vae = await Vae.load(new URL(path, server!.url), { strict: true, runtime: ortNodeBackend, device: 'cpu', onWarning: () => {} });
  try {
    const decoded = await vae.decode({ data: z.data, shape: [z.dims[0]!, vae.latentDim] });
    return { mean: Array.from(decoded.mean.data), ...(decoded.logits ? { logits: Array.from(decoded.logits.data) } : {}) };
  } finally {
    await vae.dispose();
  }
}

beforeAll(async () => {
  await mkdir(join(ROOT, 'dist'), { recursive: true });
  folder = await mkdtemp(join(ROOT, 'dist', 'parity-imported-models-'));
  server = await startStaticServer(ROOT);
  // Chromium starts and the page is bundled while the imports and the Node runtimes compute.
  browser = launchChromium();
  const pageReady = Promise.all([browser, bundlePageRunner({ script: SCRIPT, page: PAGE.slice('dist/'.length) })]);
  pageReady.catch(() => {}); // reported by the browser tests
  // One thing after the other (two cores; the models are small): imports, then each runtime.
  let previous: Promise<unknown> = Promise.resolve();
  const chain = <T>(work: () => Promise<T>): Promise<T> => {
    const next = previous.catch(() => {}).then(work);
    next.catch(() => {}); // awaited by the tests
    previous = next;
    return next;
  };
  for (const fixture of FIXTURE_LIST) imports.set(fixture.name, chain(() => importFixture(fixture)));
  for (const fixture of FIXTURE_LIST) pytorchDecodes.set(fixture.name, chain(() => decodePytorchRows(fixture)));
  for (const runtime of RUNTIMES) {
    for (const fixture of FIXTURE_LIST) {
      results.set(
        key(fixture.name, runtime),
        chain(async () => {
          if (runtime.startsWith('chromium')) await pageReady;
          return run(fixture, runtime);
        }),
      );
    }
  }
});

afterAll(async () => {
  const settled = await Promise.all([...results].map(async ([name, p]) => [name, await p.catch((e: unknown) => String(e))] as const));
  const quantities = ['encoder.mu', 'encoder.logvar', 'decoder.mean', 'decoder.logits', 'sample.mean', 'reconstruction', 'elbo', 'logLikelihood'];
  const table = await Promise.all(
    settled.map(async ([name, r]) => {
      const [fixture, runtime] = name.split(' │ ') as [string, RuntimeName];
      const ref = await results.get(key(fixture, REFERENCE))?.catch(() => undefined);
      const checks: Record<string, QuantityCheck> = typeof r === 'string' || !ref ? {} : checkAll(r.quantities, ref.quantities, TOLERANCE[runtime]);
      return {
        runtime: name,
        provider: typeof r === 'string' ? 'FAILED' : r.provider,
        golden: '—',
        ms: typeof r === 'string' ? '—' : r.ms.toFixed(0),
        cells: Object.fromEntries(Object.entries(checks).map(([q, c]) => [q, formatCell(c)])),
      };
    }),
  );
  console.info(`imported models: parity vs ${REFERENCE} (max |Δ|; ✓ within tolerance, ✗n = n values outside):\n${formatTable(table, quantities)}`);
  await server?.close();
  await (await browser?.catch(() => undefined))?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/**
 * compare.ts's rules, except the per-example sums over D = 784 float32 terms (log p(x), the
 * ELBO, about −150 nats): their class's absolute tolerance plus RTOL·|ref|, as model-kinds.test.ts
 * does for log p(x) — a different summation order moves such a sum by a few ulps of its size.
 */
function ruleOf(quantity: string, tolerance: ToleranceClass): Tolerance | 'exact' {
  return quantity === 'logLikelihood' || quantity === 'elbo' ? { atol: TOLERANCES[tolerance].logLikelihood.atol, rtol: RTOL } : ruleFor(quantity, tolerance);
}

function checkAll(quantities: Quantities, reference: Quantities, tolerance: ToleranceClass): Record<string, QuantityCheck> {
  return Object.fromEntries(Object.keys(reference).map((q) => [q, checkQuantity(quantities[q], reference[q]!, ruleOf(q, tolerance))]));
}

const describeFailures = (checks: Record<string, QuantityCheck>) =>
  Object.entries(checks)
    .filter(([, c]) => !c.pass)
    .map(([q, c]) => `${q}: ${c.failures} values outside ${c.rule}, max |Δ| ${c.maxAbsDiff}, worst ${JSON.stringify(c.worst)}`);

/** Awaits a runtime's result and checks it against the reference; assertion messages name the numbers. */
async function conforms(fixture: Fixture, runtime: RuntimeName): Promise<ModelKindRun> {
  const result = await results.get(key(fixture.name, runtime))!;
  expect(result.provider, `${fixture.name} ${runtime}: provider`).toBe(PROVIDER[runtime]);
  expect(result.warnings, `${fixture.name} ${runtime}: warnings`).toEqual([]);
  // The SDK runs these graphs the same way everywhere: fixed-batch chunks, the mean from the logits.
  expect(result.info, `${fixture.name} ${runtime}: vae.info`).toEqual({ layout: fixture.manifest.layout, ...fixture.info });
  const reference = await results.get(key(fixture.name, REFERENCE))!;
  expect(Object.keys(result.quantities)).toEqual(Object.keys(reference.quantities));
  expect(describeFailures(checkAll(result.quantities, reference.quantities, TOLERANCE[runtime])), `${fixture.name}: ${runtime} vs ${REFERENCE}`).toEqual([]);
  return result;
}

const sigmoid = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

describe.each(FIXTURE_LIST)('imported from PyTorch, parity across runtimes: $name', (fixture) => {
  it('importVae infers the manifest from the graphs and passes against the PyTorch reference', async () => {
    const { imported } = await imports.get(fixture.name)!;
    const failed = imported.checks.filter((c) => !c.passed).map((c) => `${c.graph} ${c.check}: ${c.result}`);
    expect(failed, `${fixture.name}: failed import checks`).toEqual([]);
    expect(imported.passed).toBe(true);
    // Every reference output was compared (not only the SDK checks).
    expect(imported.checks.filter((c) => c.graph === 'decoder').length).toBeGreaterThan(0);
    expect(imported.checks.filter((c) => c.graph === 'encoder').length).toBeGreaterThan(0);
    const m = imported.manifest;
    expect(m.input).toMatchObject({ shape: fixture.manifest.shape, layout: fixture.manifest.layout, range: [0, 1] });
    expect(m.latentDim).toBe(8);
    expect(m.likelihood.kind).toBe('bernoulli');
    expect(m.condition).toBeNull();
    for (const graph of ['encoder', 'decoder'] as const) {
      expect({ inputs: m.graphs[graph].inputs, outputs: m.graphs[graph].outputs }, `${fixture.name} ${graph} roles`).toEqual(fixture.manifest[graph]);
    }
  });

  it('ort-node cpu (the reference): the reference rows, non-trivial outputs', async () => {
    const result = await conforms(fixture, REFERENCE);
    const q = result.quantities;
    const logits = fixture.info.derivedMean ? ['decoder.logits'] : [];
    expect(Object.keys(q)).toEqual(['encoder.mu', 'encoder.logvar', 'decoder.mean', ...logits, 'sample.mean', 'reconstruction', 'elbo', 'logLikelihood']);
    for (const [name, values] of Object.entries(q)) {
      expect(values.every(Number.isFinite), name).toBe(true);
      // Not constant: the outputs depend on the input row.
      expect(Math.max(...values) - Math.min(...values), name).toBeGreaterThan(1e-3);
    }
    const features = fixture.manifest.shape.reduce((a, b) => a * b, 1);
    expect(q['encoder.mu']).toHaveLength(DIGITS * 8);
    expect(q['decoder.mean']).toHaveLength(PRIOR_SEEDS.length * PRIOR_COUNT * features);
    expect(q['sample.mean']).toHaveLength(SAMPLE.n * features);
    expect(q['reconstruction']).toHaveLength(DIGITS * features);
    expect(q['elbo']).toHaveLength(DIGITS);
    expect(q['logLikelihood']).toHaveLength(DIGITS);
    // Bernoulli means are probabilities; the ELBO and log p(x) are (sums of) log-probabilities.
    for (const name of ['decoder.mean', 'sample.mean', 'reconstruction']) expect(q[name]!.every((v) => v >= 0 && v <= 1), name).toBe(true);
    for (const name of ['elbo', 'logLikelihood']) expect(q[name]!.every((v) => v < 0), name).toBe(true);
    if (fixture.info.derivedMean) {
      // The SDK's mean is sigmoid(logits) of the decoder's only output.
      const mean = q['decoder.mean']!;
      expect(checkQuantity(mean, q['decoder.logits']!.map(sigmoid), TOLERANCES.cpu.model).pass, 'mean = sigmoid(logits)').toBe(true);
    }
  });

  it("ort-node cpu through the SDK reproduces PyTorch's reference outputs (1e-5 + 1.3e-6·|ref|)", async () => {
    const { imported, reference } = await imports.get(fixture.name)!;
    const { encoder, decoder } = imported.manifest.graphs;
    const q = (await results.get(key(fixture.name, REFERENCE))!).quantities;
    const decoded = await pytorchDecodes.get(fixture.name)!;
    const pairs: [string, number[] | undefined, Float32Array][] = [
      [`encode → μ vs reference/encoder/${encoder.outputs['mu']}.npy`, q['encoder.mu'], reference.encoder[encoder.outputs['mu']!]!.data],
      [`encode → log σ² vs reference/encoder/${encoder.outputs['logvar']}.npy`, q['encoder.logvar'], reference.encoder[encoder.outputs['logvar']!]!.data],
    ];
    if (decoder.outputs['logits']) {
      const logits = reference.decoder[decoder.outputs['logits']]!.data;
      pairs.push([`decode → logits vs reference/decoder/${decoder.outputs['logits']}.npy`, decoded.logits, logits]);
      // The derived mean against sigmoid of PyTorch's logits (in float64).
      pairs.push([`decode → mean vs sigmoid(reference/decoder/${decoder.outputs['logits']}.npy)`, decoded.mean, Float32Array.from(logits, sigmoid)]);
    } else {
      pairs.push([`decode → mean vs reference/decoder/${decoder.outputs['mean']}.npy`, decoded.mean, reference.decoder[decoder.outputs['mean']!]!.data]);
    }
    const failed = pairs
      .map(([what, values, ref]) => ({ what, check: checkQuantity(values, Array.from(ref), PYTORCH_TOLERANCE) }))
      .filter(({ check }) => !check.pass)
      .map(({ what, check }) => `${what}: ${check.failures} values outside ${check.rule}, max |Δ| ${check.maxAbsDiff}, worst ${JSON.stringify(check.worst)}`);
    expect(failed, `${fixture.name}: ort-node vs PyTorch`).toEqual([]);
    expect(pairs.length).toBe(fixture.info.derivedMean ? 4 : 3);
  });

  it.each([
    ['onnxruntime-web wasm in Node', 'ort-web wasm (node)'],
    ['Chromium, onnxruntime-web wasm', 'chromium wasm'],
    ['Chromium, onnxruntime-web webgpu (SwiftShader)', 'chromium webgpu'],
  ] as const)(
    '%s',
    async (_, runtime) => {
      await conforms(fixture, runtime);
    },
    // Each waits for every run before it (one at a time; fixed-batch graphs cost one call per row on SwiftShader).
    300_000,
  );
});
