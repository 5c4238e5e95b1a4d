/**
 * The cross-runtime parity suite: one conformance computation (conformance.ts) on the same inputs
 * — 32 real test digits and seeded latent draws — run by a thin runner per runtime, compared with
 * the reference (onnxruntime-node cpu) under the tolerances of docs/architecture.md (compare.ts). Prints a table
 * (runtime × quantity → max |Δ|, ✓/✗) and writes it to parity-report/parity.json.
 *
 * Runners: tfjs (the trainer's model), onnxruntime-node cpu, onnxruntime-node webgpu (child
 * process on SwiftShader), onnxruntime-web wasm in Node, and headless Chromium with
 * onnxruntime-web wasm (one thread), wasm (threads, cross-origin isolated) and webgpu, and the
 * remote runtime: `Vae.connect` to a real `vaekit serve` child (runners/remote.ts), from this process
 * and from a Chromium page through `--cors` (the page's origin is the static server's). The work
 * starts in beforeAll — child process, browser and in-process runners side by side — and each
 * test awaits its runner. Browser tests fail (never skip) without Chromium.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';
import { launchChromium } from '../browser/chromium.js';
import { PAGE, ROOT, bundlePageRunner } from './bundle.js';
import { checkAll, formatCell, formatTable, type QuantityCheck, type ToleranceClass } from './compare.js';
import type { ConformanceInput, ConformanceResult } from './conformance.js';
import { runPage } from './runners/browser.js';
import { loadConformanceInput, runOrtNode, runOrtWebNode } from './runners/node.js';
import { runRemote, runRemoteChromium } from './runners/remote.js';
import { runTfjs } from './runners/tfjs.js';

const REPORT_DIR = new URL('../../parity-report/', import.meta.url);
// The webgpu child's input (the pages get theirs through page.evaluate).
const INPUT_FILE = pathToFileURL(join(tmpdir(), `vaekit-parity-input-${process.pid}.json`));
const CHROMIUM_LIBS = '/usr/lib/chromium';
const ICD = `${CHROMIUM_LIBS}/vk_swiftshader_icd.json`;

interface Runner {
  name: string;
  tolerance: ToleranceClass;
  /** The provider the runtime must report (strict loads; no silent fallback). */
  provider: string;
  result?: Promise<ConformanceResult>;
}

const REFERENCE = 'ort-node cpu';
const REMOTE = 'remote (vaekit serve, Node client)';
const REMOTE_CHROMIUM = 'remote (vaekit serve, Chromium client)';
const RUNNERS: Runner[] = [
  { name: 'tfjs wasm (trainer)', tolerance: 'cpu', provider: 'tfjs wasm' },
  { name: REFERENCE, tolerance: 'cpu', provider: 'cpu' },
  { name: 'ort-node webgpu', tolerance: 'webgpu', provider: 'webgpu' },
  { name: 'ort-web wasm (node)', tolerance: 'cpu', provider: 'wasm' },
  { name: 'chromium wasm', tolerance: 'cpu', provider: 'wasm' },
  { name: 'chromium wasm threads', tolerance: 'cpu', provider: 'wasm' },
  { name: 'chromium webgpu', tolerance: 'webgpu', provider: 'webgpu' },
  { name: REMOTE, tolerance: 'cpu', provider: 'remote' },
  { name: REMOTE_CHROMIUM, tolerance: 'cpu', provider: 'remote' },
];
const runner = (name: string) => RUNNERS.find((r) => r.name === name)!;

let input: ConformanceInput & { indices: number[]; testCount: number };
let server: StaticServer | undefined;
let isolatedServer: StaticServer | undefined;
let browser: Promise<Browser> | undefined;
const suiteStarted = performance.now();
const settled = new Map<string, { result?: ConformanceResult; error?: string; checks?: Record<string, QuantityCheck> }>();

/** Keeps a runner's promise for its test and records how it settled for the report. */
function track(name: string, promise: Promise<ConformanceResult>): void {
  runner(name).result = promise;
  promise.then(
    (result) => settled.set(name, { result }),
    (e: unknown) => settled.set(name, { error: String((e as Error)?.message ?? e).split('\n').slice(0, 6).join('\n') }),
  );
}

function runWebgpuChild(): Promise<ConformanceResult> {
  if (!existsSync(ICD) || !existsSync(`${CHROMIUM_LIBS}/libvulkan.so.1`)) {
    return Promise.reject(
      new Error(
        `onnxruntime-node's WebGPU provider runs on SwiftShader from Debian's chromium, but ${ICD} is missing: run \`apt-get update && apt-get install -y chromium\` (.ci/run does)`,
      ),
    );
  }
  const script = fileURLToPath(new URL('./runners/webgpu-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', script, fileURLToPath(INPUT_FILE)],
      {
        cwd: ROOT,
        env: { ...process.env, LD_LIBRARY_PATH: CHROMIUM_LIBS, VK_ICD_FILENAMES: ICD },
        timeout: 60_000,
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        let parsed: ConformanceResult & { error?: { code: string | null; message: string } };
        try {
          parsed = JSON.parse(line);
        } catch {
          reject(new Error(`the webgpu child printed no result (${error?.message ?? 'exit 0'}):\n${stdout.slice(-1000)}\n${stderr.slice(-1000)}`.slice(0, 3000)));
          return;
        }
        if (parsed.error) reject(new Error(`webgpu child: [${parsed.error.code}] ${parsed.error.message}\n${stderr.slice(-1000)}`));
        else resolve(parsed);
      },
    );
    child.stdin?.end();
  });
}

beforeAll(async () => {
  input = await loadConformanceInput();
  await writeFile(INPUT_FILE, JSON.stringify({ x: input.x, golden: input.golden }));
  server = await startStaticServer(ROOT);
  isolatedServer = await startStaticServer(ROOT, { isolated: true });
  const plain = { x: input.x, golden: input.golden };

  // A separate process: starts first and runs beside everything else.
  track('ort-node webgpu', runWebgpuChild());

  // The browser: launch (fails with launchChromium's message without Chromium), bundle, then one page per runner.
  browser = launchChromium();
  const bundled = browser.then(() => bundlePageRunner());
  const page = (after: Promise<unknown>, url: string, options: Parameters<typeof runPage>[2]) =>
    after.then(async () => runPage(await browser!, url, options, plain));
  const st = page(bundled, server.url, { device: 'wasm' });
  track('chromium wasm', st);
  // Pages one at a time (two cores), each only after this run's bundle was built.
  const mt = page(Promise.all([bundled, st.catch(() => {})]), isolatedServer.url, { device: 'wasm', threads: 2 });
  track('chromium wasm threads', mt);
  const gpu = page(Promise.all([bundled, mt.catch(() => {})]), server.url, { device: 'webgpu', strict: true });
  track('chromium webgpu', gpu);
  // The remote Chromium row last: the same page, connecting to its own `vaekit serve --cors <the page's origin>`.
  const remotePage = Promise.all([bundled, gpu.catch(() => {})]).then(async () => runRemoteChromium(await browser!, new URL(PAGE, server!.url).href, plain));
  track(REMOTE_CHROMIUM, remotePage);

  // In this process, one after the other (the remote runner's server is a child; its client is here).
  const cpu = runOrtNode(plain, 'cpu');
  track(REFERENCE, cpu);
  const web = cpu.catch(() => {}).then(() => runOrtWebNode(plain, server!.url));
  track('ort-web wasm (node)', web);
  const tfjs = web.catch(() => {}).then(() => runTfjs(plain));
  track('tfjs wasm (trainer)', tfjs);
  track(REMOTE, tfjs.catch(() => {}).then(() => runRemote(plain)));
  for (const r of RUNNERS) r.result?.catch(() => {}); // awaited by the tests; no unhandled rejections meanwhile
});

afterAll(async () => {
  await Promise.allSettled(RUNNERS.map((r) => r.result));
  await writeReport();
  await rm(INPUT_FILE, { force: true });
  if (browser) await browser.then((b) => b.close(), () => {});
  await server?.close();
  await isolatedServer?.close();
});

async function writeReport(): Promise<void> {
  const reference = settled.get(REFERENCE)?.result;
  const quantities = reference ? Object.keys(reference.quantities) : [];
  const rows = RUNNERS.map((r) => {
    const s = settled.get(r.name) ?? { error: 'did not run' };
    if (s.result && reference && !s.checks) s.checks = checkAll(s.result.quantities, reference.quantities, r.tolerance);
    const cells = Object.fromEntries(Object.entries(s.checks ?? {}).map(([q, c]) => [q, formatCell(c)]));
    return {
      runtime: r.name,
      provider: s.result?.provider ?? 'FAILED',
      golden: s.result ? (s.result.goldenMismatches.length ? `✗${s.result.goldenMismatches.length}` : '✓') : '—',
      ms: s.result ? s.result.ms.toFixed(0) : '—',
      cells,
    };
  });
  const table = formatTable(rows, quantities);
  const errors = RUNNERS.flatMap((r) => (settled.get(r.name)?.error ? [`${r.name}: ${settled.get(r.name)!.error}`] : []));
  console.info(`parity vs ${REFERENCE} (max |Δ|; ✓ within tolerance, ✗n = n values outside):\n${table}${errors.length ? `\n\nfailed runners:\n${errors.join('\n')}` : ''}`);
  const tfjsInfo = settled.get('tfjs wasm (trainer)')?.result?.info;
  const report = {
    reference: REFERENCE,
    generated: new Date().toISOString(),
    wallMs: Math.round(performance.now() - suiteStarted),
    inputs: { digits: input?.indices, testCount: input?.testCount },
    tolerances: 'sampler: bit-identical; model outputs: |a − b| ≤ atol + 1.3e-6·|b|, atol 1e-5 (tfjs, cpu, wasm) or 1e-4 (webgpu); logLikelihood: 1e-3 nats (1e-2 webgpu)',
    table,
    runtimes: RUNNERS.map((r) => {
      const s = settled.get(r.name);
      return {
        runtime: r.name,
        expectedProvider: r.provider,
        provider: s?.result?.provider ?? null,
        error: s?.error ?? null,
        goldenMismatches: s?.result?.goldenMismatches ?? null,
        warnings: s?.result?.warnings ?? null,
        ms: s?.result ? Math.round(s.result.ms) : null,
        info: s?.result?.info ?? null,
        checks: s?.checks ?? null,
      };
    }),
    trainer: tfjsInfo ? { iwaeNll: tfjsInfo['trainerIwaeNll'], perExampleMeanNll: tfjsInfo['perExampleMeanNll'] } : null,
  };
  await mkdir(REPORT_DIR, { recursive: true });
  await writeFile(new URL('parity.json', REPORT_DIR), `${JSON.stringify(report, null, 2)}\n`);
}

/** Awaits a runner and checks it against the reference; the assertion messages name the numbers. */
async function conforms(name: string): Promise<ConformanceResult> {
  const r = runner(name);
  const result = await r.result!;
  expect(result.goldenMismatches, `${name}: checkGoldenVectors mismatches`).toEqual([]);
  expect(result.provider, `${name}: provider`).toBe(r.provider);
  const reference = await runner(REFERENCE).result!;
  const checks = checkAll(result.quantities, reference.quantities, r.tolerance);
  const failed = Object.entries(checks)
    .filter(([, c]) => !c.pass)
    .map(([q, c]) => `${q}: ${c.failures} values outside ${c.rule}, max |Δ| ${c.maxAbsDiff}, worst ${JSON.stringify(c.worst)}`);
  expect(failed, `${name} vs ${REFERENCE}`).toEqual([]);
  return result;
}

describe('parity: one conformance suite, every runtime vs ort-node cpu', () => {
  it('ort-node cpu (the reference): golden vectors, real inputs, sane outputs', async () => {
    const result = await runner(REFERENCE).result!;
    expect(result.goldenMismatches).toEqual([]);
    expect(result.provider).toBe('cpu');
    expect(result.warnings).toEqual([]);
    expect(input.testCount).toBe(997);
    expect(new Set(input.indices).size).toBe(32);
    // Real digits and draws, never all-zeros; log p(x) of real digits is a plausible number of nats.
    for (const [q, values] of Object.entries(result.quantities)) {
      expect(values.every(Number.isFinite), q).toBe(true);
      expect(values.some((v) => v !== 0), q).toBe(true);
    }
    const ll = result.quantities['logLikelihood']!;
    expect(ll).toHaveLength(32);
    expect(ll.every((v) => v < -20 && v > -400)).toBe(true);
  });

  it('tfjs (trainer model, tfjs-backend-wasm)', async () => {
    const result = await conforms('tfjs wasm (trainer)');
    // The trainer's IWAE estimator on the same ε layout agrees with the per-example values.
    expect(Math.abs((result.info['trainerIwaeNll'] as number) - (result.info['perExampleMeanNll'] as number))).toBeLessThan(1e-3);
  });

  it('onnxruntime-node webgpu (child process, SwiftShader, strict)', async () => {
    const result = await conforms('ort-node webgpu');
    expect(result.warnings).toEqual([]);
  });

  it('onnxruntime-web wasm in Node', async () => {
    await conforms('ort-web wasm (node)');
  });

  it('Chromium: onnxruntime-web wasm, one thread (not isolated)', async () => {
    const result = await conforms('chromium wasm');
    expect(result.info['crossOriginIsolated']).toBe(false);
    expect(result.warnings).toEqual([]);
  });

  it('Chromium: onnxruntime-web wasm with threads (COOP/COEP, threads: 2)', async () => {
    const result = await conforms('chromium wasm threads');
    expect(result.info['crossOriginIsolated']).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('Chromium: onnxruntime-web webgpu (strict)', async () => {
    const result = await conforms('chromium webgpu');
    expect(result.warnings).toEqual([]);
  });

  it('remote: Vae.connect (Node) to vaekit serve models/mnist-mlp, graphs on the server', async () => {
    const result = await conforms(REMOTE);
    // No warnings, and the server exited 0 on SIGTERM (the runner warns otherwise).
    expect(result.warnings).toEqual([]);
  });

  it('remote: Vae.connect (Chromium page) to vaekit serve --cors <the page origin>, graphs on the server', async () => {
    const result = await conforms(REMOTE_CHROMIUM);
    expect(result.info['origin']).toBe(new URL(server!.url).origin);
    expect(result.warnings).toEqual([]);
  });
});
