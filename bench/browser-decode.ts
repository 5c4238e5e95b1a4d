/**
 * Batch-256 decode throughput of models/mnist-mlp in headless Chromium (onnxruntime-web: wasm one
 * thread, wasm threads on a cross-origin-isolated page, webgpu) beside Node (onnxruntime-node cpu),
 * in one run. Prints JSON, then a table. `npx tsx bench/browser-decode.ts` (after `npm run build`).
 */
import { cpus } from 'node:os';
import { startStaticServer } from '../scripts/static-server.js';
import { ortNodeBackend } from '../src/runtime/ort-node.js';
import { Vae } from '../src/vae/vae.js';
import { launchChromium } from '../test/browser/chromium.js';
import { bundlePageRunner, PAGE, ROOT } from '../test/parity/bundle.js';

const BATCH = 256;
const ROUNDS = 5;
const ROUND_MS = 1000;

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
  return rates.sort((a, b) => a - b)[rates.length >> 1]!;
}

await bundlePageRunner();
const plain = await startStaticServer(ROOT);
const isolated = await startStaticServer(ROOT, { isolated: true });
const browser = await launchChromium();
type Result = { samplesPerSec: number; provider: string; crossOriginIsolated: boolean };
async function inPage(serverUrl: string, options: { device: 'wasm' | 'webgpu'; threads?: number; strict?: boolean }): Promise<Result> {
  const page = await browser.newPage();
  try {
    await page.goto(new URL(PAGE, serverUrl).href);
    await page.waitForFunction(() => typeof (globalThis as { vaekitThroughput?: unknown }).vaekitThroughput === 'function');
    return await page.evaluate(
      ([o, r]) => (globalThis as unknown as { vaekitThroughput(o: unknown, r: unknown): Promise<Result> }).vaekitThroughput(o, r),
      [options, { batch: BATCH, rounds: ROUNDS, roundMs: ROUND_MS }] as const,
    );
  } finally {
    await page.close();
  }
}

const node = await nodeCpu();
const wasm1 = await inPage(plain.url, { device: 'wasm', strict: true });
const wasmThreads = await inPage(isolated.url, { device: 'wasm', threads: 2, strict: true });
const webgpu = await inPage(isolated.url, { device: 'webgpu', strict: true });
await browser.close();
await plain.close();
await isolated.close();

const round = (x: number) => Math.round(x);
const report = {
  benchmark: 'browser-decode',
  model: 'models/mnist-mlp decoder, batch 256',
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  samplesPerSec: {
    nodeCpu: round(node),
    chromiumWasm1Thread: round(wasm1.samplesPerSec),
    chromiumWasmThreads: round(wasmThreads.samplesPerSec),
    chromiumWebgpu: round(webgpu.samplesPerSec),
  },
  providers: { wasm1: wasm1.provider, wasmThreads: wasmThreads.provider, webgpu: webgpu.provider },
  crossOriginIsolated: { wasm1: wasm1.crossOriginIsolated, wasmThreads: wasmThreads.crossOriginIsolated },
  ratioWasmThreadsToNodeCpu: Math.round((wasmThreads.samplesPerSec / node) * 100) / 100,
  goal: 'browser wasm (threads) ≥ 0.5 × Node cpu',
  note: 'webgpu here is SwiftShader (a CPU Vulkan implementation), not a GPU',
};
console.log(JSON.stringify(report, null, 2));
console.table([
  { runtime: 'Node, onnxruntime-node cpu', samplesPerSec: report.samplesPerSec.nodeCpu, vsNode: 1 },
  { runtime: 'Chromium, onnxruntime-web wasm, 1 thread', samplesPerSec: report.samplesPerSec.chromiumWasm1Thread, vsNode: Math.round((wasm1.samplesPerSec / node) * 100) / 100 },
  { runtime: 'Chromium, onnxruntime-web wasm, threads (COOP/COEP)', samplesPerSec: report.samplesPerSec.chromiumWasmThreads, vsNode: report.ratioWasmThreadsToNodeCpu },
  { runtime: 'Chromium, onnxruntime-web webgpu (SwiftShader)', samplesPerSec: report.samplesPerSec.chromiumWebgpu, vsNode: Math.round((webgpu.samplesPerSec / node) * 100) / 100 },
]);
