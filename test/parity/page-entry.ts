/**
 * The browser runners' page code, bundled by test/parity/bundle.ts into dist/parity-runner.js
 * (beside onnxruntime-web's .wasm/.mjs, which it finds through import.meta.url). The page calls
 * `window.vaekitParity(options, input)`: load models/mnist-mlp by URL with onnxruntime-web, run
 * the conformance computation, return its result as plain JSON (`vaekitRemoteParity`: the same on
 * a `Vae.connect` Vae).
 */
import { Vae, type LoadOptions } from '../../src/web.js';
import { runConformance, type ConformanceInput, type ConformanceResult } from './conformance.js';
import { runModelKind, type ModelKindInput, type ModelKindOptions, type ModelKindRun } from './model-kind-quantities.js';

export interface PageOptions {
  device: 'wasm' | 'webgpu';
  strict?: boolean;
  threads?: number;
}

async function vaekitParity(options: PageOptions, input: ConformanceInput): Promise<ConformanceResult> {
  const warnings: string[] = [];
  const load: LoadOptions = { device: options.device, onWarning: (m) => warnings.push(m) };
  if (options.strict !== undefined) load.strict = options.strict;
  if (options.threads !== undefined) load.threads = options.threads;
  const started = performance.now();
  const vae = await Vae.load(new URL('/models/mnist-mlp/', location.href), load);
  const loadMs = performance.now() - started;
  try {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> } }).gpu;
    const adapter = options.device === 'webgpu' && gpu ? await gpu.requestAdapter() : null;
    return await runConformance(vae, input, warnings, {
      loadMs,
      crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      userAgent: navigator.userAgent,
      ...(adapter?.info ? { adapter: { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description } } : {}),
    });
  } finally {
    await vae.dispose();
  }
}

/**
 * The remote row: `Vae.connect` from this page to `vaekit serve --cors <this page's origin>` at
 * `serverUrl` — the encoder and decoder run on the server (binary tensors, as it offers them), the
 * sampler and the likelihood scorer (onnxruntime-web) in this page.
 */
async function vaekitRemoteParity(serverUrl: string, input: ConformanceInput): Promise<ConformanceResult> {
  const warnings: string[] = [];
  const started = performance.now();
  const vae = await Vae.connect(serverUrl, { model: 'mnist-mlp', onWarning: (m) => warnings.push(m) });
  const loadMs = performance.now() - started;
  try {
    return await runConformance(vae, input, warnings, { loadMs, server: serverUrl, origin: location.origin, userAgent: navigator.userAgent });
  } finally {
    await vae.dispose();
  }
}

/**
 * model-kinds.test.ts (and imported-models.test.ts, with `quantities.allMethods`) in this page:
 * load the fixture at `modelPath` (from the server root) and compute its quantities.
 */
async function vaekitModelKind(
  modelPath: string,
  options: PageOptions,
  input: ModelKindInput,
  quantities: ModelKindOptions = {},
): Promise<ModelKindRun> {
  const warnings: string[] = [];
  const load: LoadOptions = { device: options.device, strict: true, onWarning: (m) => warnings.push(m) };
  const vae = await Vae.load(new URL(`/${modelPath}`, location.href), load);
  return runModelKind(vae, input, warnings, quantities);
}

/** Batch-256 decode throughput in this page (bench/browser-decode.ts): median samples/s over rounds. */
async function vaekitThroughput(options: PageOptions, run: { batch: number; rounds: number; roundMs: number }) {
  const load: LoadOptions = { device: options.device };
  if (options.strict !== undefined) load.strict = options.strict;
  if (options.threads !== undefined) load.threads = options.threads;
  const vae = await Vae.load(new URL('/models/mnist-mlp/', location.href), load);
  try {
    const z = new Float32Array(run.batch * vae.latentDim).map((_, i) => Math.sin(i) * 1.5);
    const input = { data: z, shape: [run.batch, vae.latentDim] };
    for (let i = 0; i < 5; i++) await vae.decode(input);
    const rates: number[] = [];
    for (let r = 0; r < run.rounds; r++) {
      let calls = 0;
      const start = performance.now();
      while (performance.now() - start < run.roundMs || calls < 3) {
        await vae.decode(input);
        calls++;
      }
      rates.push((calls * run.batch * 1000) / (performance.now() - start));
    }
    rates.sort((a, b) => a - b);
    return { samplesPerSec: rates[rates.length >> 1]!, provider: vae.provider.decoder, crossOriginIsolated };
  } finally {
    await vae.dispose();
  }
}

(globalThis as { vaekitParity?: typeof vaekitParity }).vaekitParity = vaekitParity;
(globalThis as { vaekitRemoteParity?: typeof vaekitRemoteParity }).vaekitRemoteParity = vaekitRemoteParity;
(globalThis as { vaekitThroughput?: typeof vaekitThroughput }).vaekitThroughput = vaekitThroughput;
(globalThis as { vaekitModelKind?: typeof vaekitModelKind }).vaekitModelKind = vaekitModelKind;
