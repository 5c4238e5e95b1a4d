import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { InferenceSession } from 'onnxruntime-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ortNodeBackend, cudaUnavailableReason } from '../../src/runtime/ort-node.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import { LATENT_DIM, graphPath, loadGraph, maxAbsDiff, rejection, seededZ, serveModels } from './fixtures.js';

const N = 16;
let decoder: Uint8Array;
let encoder: Uint8Array;
let server: Awaited<ReturnType<typeof serveModels>>;

beforeAll(async () => {
  decoder = await loadGraph('decoder');
  encoder = await loadGraph('encoder');
  server = await serveModels();
});
afterAll(() => server.close());
afterEach(() => vi.restoreAllMocks());

/** The executionProviders of every InferenceSession.create call made while `fn` runs. */
async function providerLists<T>(fn: () => Promise<T>): Promise<{ result: T; lists: unknown[] }> {
  const spy = vi.spyOn(InferenceSession, 'create');
  const result = await fn();
  const lists = spy.mock.calls.map((call) => (call[1] as InferenceSession.SessionOptions | undefined)?.executionProviders);
  spy.mockRestore();
  return { result, lists };
}

describe('ortNodeBackend: cpu', () => {
  it('names its devices', () => {
    expect(ortNodeBackend.name).toBe('onnxruntime-node');
    expect([...ortNodeBackend.devices]).toEqual(['auto', 'cpu', 'webgpu', 'cuda']);
  });

  it('runs the decoder on cpu with an explicit one-provider list and reports cpu', async () => {
    const { result: session, lists } = await providerLists(() => ortNodeBackend.createSession(decoder, { device: 'cpu' }));
    expect(lists).toEqual([['cpu']]);
    expect(session.provider).toBe('cpu');
    expect(session.inputNames).toEqual(['z']);
    expect(session.outputNames).toEqual(['logits', 'mean']);
    const out = await session.run({ z: { data: seededZ(N), dims: [N, LATENT_DIM] } });
    expect(out.logits!.dims).toEqual([N, 28, 28, 1]);
    expect(out.mean!.dims).toEqual([N, 28, 28, 1]);
    // mean = sigmoid(logits), and the digits are not blank.
    const sigmoid = Float32Array.from(out.logits!.data, (l) => 1 / (1 + Math.exp(-l)));
    expect(maxAbsDiff(out.mean!.data, sigmoid)).toBeLessThan(1e-6);
    expect(out.mean!.data.reduce((a, b) => a + b, 0) / out.mean!.data.length).toBeGreaterThan(0.05);
    await session.release();
    await session.release(); // idempotent
    const after = await rejection(session.run({ z: { data: seededZ(1), dims: [1, LATENT_DIM] } }));
    expect(after.code).toBe('disposed');
  });

  it('encodes real MNIST digits into finite mu/logvar', async () => {
    const mnist = await loadEmbeddedMnist({ perClassLimit: 10 });
    const n = mnist.test.count;
    const session = await ortNodeBackend.createSession(encoder, { device: 'cpu', threads: 1, graphOptimization: 'basic' });
    const { mu, logvar } = await session.run({ x: { data: mnist.test.x, dims: [n, 28, 28, 1] } });
    expect(mu!.dims).toEqual([n, LATENT_DIM]);
    expect(logvar!.dims).toEqual([n, LATENT_DIM]);
    expect(mu!.data.every(Number.isFinite) && logvar!.data.every(Number.isFinite)).toBe(true);
    await session.release();
  });

  it('gives the same numbers with threads and graph optimization changed', async () => {
    const z = seededZ(N);
    const a = await ortNodeBackend.createSession(decoder, { device: 'cpu' });
    const b = await ortNodeBackend.createSession(decoder, { device: 'cpu', threads: 1, graphOptimization: 'disabled' });
    const ra = await a.run({ z: { data: z, dims: [N, LATENT_DIM] } });
    const rb = await b.run({ z: { data: z, dims: [N, LATENT_DIM] } });
    expect(maxAbsDiff(ra.logits!.data, rb.logits!.data)).toBeLessThan(1e-5);
    await a.release();
    await b.release();
  });

  it("'auto' tries cuda only when its library is installed, else uses cpu without a warning", async () => {
    const warnings: string[] = [];
    const { result: session, lists } = await providerLists(() => ortNodeBackend.createSession(decoder, { onWarning: (m) => warnings.push(m) }));
    if ((await cudaUnavailableReason()) !== null) {
      // No CUDA library (this project's .npmrc skips its download): skipped silently.
      expect(lists).toEqual([['cpu']]);
      expect(session.provider).toBe('cpu');
      expect(warnings).toEqual([]);
    } else if (session.provider === 'cuda') {
      expect(lists).toEqual([['cuda']]);
      expect(warnings).toEqual([]);
    } else {
      // The library is there but CUDA cannot start (no driver or GPU): tried, then cpu, said once.
      expect(session.provider).toBe('cpu');
      expect(lists).toEqual([['cuda'], ['cpu']]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^vaekit: onnxruntime-node fell back to 'cpu' for device 'auto': \[cuda\] /);
    }
    await session.release();
  });

  it('refuses an unknown device name with provider-unavailable, listing the supported ones', async () => {
    for (const device of ['tpu', 'wasm', 'GPU']) {
      const e = await rejection(ortNodeBackend.createSession(decoder, { device: device as 'cpu' }));
      expect(e.code).toBe('provider-unavailable');
      expect(e.message).toContain("'device' must be one of 'auto', 'cpu', 'webgpu', 'cuda'");
      expect(e.message).toContain(`found "${device}"`);
    }
  });

  it('lets threads spin only while a run is active, or never with spinning: false', async () => {
    const spy = vi.spyOn(InferenceSession, 'create');
    const spinning = await ortNodeBackend.createSession(decoder, { device: 'cpu', threads: 2 });
    const never = await ortNodeBackend.createSession(decoder, { device: 'cpu', threads: 2, spinning: false });
    const extras = spy.mock.calls.map((call) => (call[1] as InferenceSession.SessionOptions).extra);
    spy.mockRestore();
    expect(extras).toEqual([{ session: { force_spinning_stop: '1' } }, { session: { intra_op: { allow_spinning: '0' } } }]);
    const z = { z: { data: seededZ(N), dims: [N, LATENT_DIM] } };
    expect(maxAbsDiff((await spinning.run(z)).mean!.data, (await never.run(z)).mean!.data)).toBe(0);
    await Promise.all([spinning.release(), never.release()]);
  });

  it('checks the other options and the model argument', async () => {
    const cases: [unknown, RegExp][] = [
      [{ threads: -1 }, /'threads' must be an integer ≥ 0 .*found -1/],
      [{ threads: 1.5 }, /'threads'.*found 1\.5/],
      [{ graphOptimization: 'max' }, /'graphOptimization' must be one of 'disabled', 'basic', 'extended', 'all'; found "max"/],
      [{ strict: 'yes' }, /'strict' must be a boolean; found "yes"/],
      [{ onWarning: 3 }, /'onWarning' must be a function; found 3/],
    ];
    for (const [options, message] of cases) {
      const e = await rejection(ortNodeBackend.createSession(decoder, options as never));
      expect(e.code).toBe('invalid-argument');
      expect(e.message).toMatch(message);
    }
    const e = await rejection(ortNodeBackend.createSession(decoder.buffer as never));
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toMatch(/'model' must be a Uint8Array of ONNX bytes; found object/);
  });

  it('checks the feeds of run()', async () => {
    const session = await ortNodeBackend.createSession(decoder, { device: 'cpu' });
    const missing = await rejection(session.run({ x: { data: seededZ(1), dims: [1, LATENT_DIM] } }));
    expect(missing.code).toBe('invalid-argument');
    expect(missing.message).toMatch(/'feeds' must name exactly the graph's inputs \[z\]; found \[x\], missing z, unknown x/);
    const short = await rejection(session.run({ z: { data: seededZ(1), dims: [2, LATENT_DIM] } }));
    expect(short.message).toMatch(/'feeds.z' must hold 40 values for dims \[2, 20\]; found 20/);
    const f64 = await rejection(session.run({ z: { data: new Float64Array(20) as never, dims: [1, LATENT_DIM] } }));
    expect(f64.message).toMatch(/'feeds.z.data' must be a Float32Array; found Float64Array\(20\)/);
    await session.release();
  });
});

describe('ortNodeBackend: corrupt graphs', () => {
  it('maps truncated, garbage and empty bytes to corrupt-graph', async () => {
    const garbage = new Uint8Array(4096);
    const noise = seededZ(4096 / 4 / LATENT_DIM + 1, 99);
    for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(Math.abs(noise[i]!) * 1e6) & 0xff;
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated', decoder.subarray(0, Math.floor(decoder.length / 2)), /protobuf parsing failed/],
      ['last byte missing', decoder.subarray(0, decoder.length - 1), /protobuf parsing failed/],
      ['garbage', garbage, /protobuf|invalid model|no graph/i],
      ['empty', new Uint8Array(0), /'model' is empty \(0 bytes/],
    ];
    for (const [what, bytes, reason] of cases) {
      const e = await rejection(ortNodeBackend.createSession(bytes, { device: 'cpu' }));
      expect(e.code, what).toBe('corrupt-graph');
      expect(e.message, what).toMatch(/^onnxruntime-node could not load the graph/);
      expect(e.message, what).toMatch(reason);
    }
  });

  it('keeps corrupt-graph when the bytes are bad and a device was requested', async () => {
    const e = await rejection(ortNodeBackend.createSession(decoder.subarray(0, 5000), { device: 'cuda', onWarning: () => {} }));
    expect(e.code).toBe('corrupt-graph');
    expect(e.message).toMatch(/protobuf parsing failed/);
  });
});

describe('ortNodeBackend: fallback', () => {
  // Without the CUDA provider library (this project's .npmrc skips its download) 'cuda' is skipped
  // before any attempt, with the reason; with it, CUDA either runs or fails to start with
  // onnxruntime's own message. Each test asserts what its machine must show.
  let cudaMissing: string | null;
  beforeAll(async () => {
    cudaMissing = await cudaUnavailableReason();
  });

  it("falls back from 'cuda' to cpu with a warning naming the failure (or runs on cuda)", async () => {
    const warnings: string[] = [];
    const { result: session, lists } = await providerLists(() => ortNodeBackend.createSession(decoder, { device: 'cuda', onWarning: (m) => warnings.push(m) }));
    if (cudaMissing !== null) {
      expect(lists).toEqual([['cpu']]);
      expect(session.provider).toBe('cpu');
      expect(warnings).toEqual([`vaekit: onnxruntime-node fell back to 'cpu' for device 'cuda': [cuda] ${cudaMissing}`]);
      expect(warnings[0]).toMatch(/\[cuda\] the CUDA provider library is not installed \(.*libonnxruntime_providers_cuda\.so is missing/);
    } else if (session.provider === 'cuda') {
      expect(lists).toEqual([['cuda']]);
      expect(warnings).toEqual([]);
    } else {
      expect(session.provider).toBe('cpu');
      expect(lists).toEqual([['cuda'], ['cpu']]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^vaekit: onnxruntime-node fell back to 'cpu' for device 'cuda': \[cuda\] \S/);
    }
    const out = await session.run({ z: { data: seededZ(2), dims: [2, LATENT_DIM] } });
    expect(out.mean!.data.length).toBe(2 * 784);
    await session.release();
  });

  it('warns through console.warn by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = await ortNodeBackend.createSession(decoder, { device: 'cuda' });
    if (session.provider === 'cuda') {
      expect(cudaMissing).toBeNull();
      expect(warn).not.toHaveBeenCalled();
    } else {
      expect(session.provider).toBe('cpu');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/^vaekit: onnxruntime-node fell back to 'cpu' for device 'cuda': \[cuda\] /);
    }
    await session.release();
  });

  it("throws provider-unavailable for 'cuda' under strict (or runs on cuda)", async () => {
    const warnings: string[] = [];
    const created = ortNodeBackend.createSession(decoder, { device: 'cuda', strict: true, onWarning: (m) => warnings.push(m) });
    const outcome = await created.then(
      (session) => ({ session }),
      (error: unknown) => ({ error }),
    );
    expect(warnings).toEqual([]);
    if ('session' in outcome) {
      // Only possible where CUDA works.
      expect(cudaMissing).toBeNull();
      expect(outcome.session.provider).toBe('cuda');
      await outcome.session.release();
      return;
    }
    const e = await rejection(Promise.reject(outcome.error));
    expect(e.code).toBe('provider-unavailable');
    expect(e.message).toMatch(/^device 'cuda' is unavailable with onnxruntime-node \(strict: true, so no fallback to cpu\): \[cuda\] /);
    if (cudaMissing !== null) expect(e.message).toContain(`[cuda] ${cudaMissing}`);
  });

  it("tries 'webgpu' then cpu, one explicit provider per attempt", async () => {
    // This process has no Vulkan driver on its library path (the SwiftShader run is the child below).
    const warnings: string[] = [];
    const { result: session, lists } = await providerLists(() =>
      ortNodeBackend.createSession(decoder, { device: 'webgpu', onWarning: (m) => warnings.push(m) }),
    );
    if (session.provider === 'webgpu') {
      // Started with a working Vulkan ICD (e.g. the SwiftShader variables exported): no fallback.
      expect(lists).toEqual([['webgpu']]);
      expect(warnings).toEqual([]);
    } else {
      expect(session.provider).toBe('cpu');
      expect(lists).toEqual([['webgpu'], ['cpu']]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^vaekit: onnxruntime-node fell back to 'cpu' for device 'webgpu': \[webgpu\] Failed to get a WebGPU adapter/);
    }
    await session.release();
  });
});

describe('ortNodeBackend: webgpu through SwiftShader (child process)', () => {
  const CHROMIUM = '/usr/lib/chromium';
  const ICD = `${CHROMIUM}/vk_swiftshader_icd.json`;

  it('runs the decoder on webgpu within 1e-4 of cpu', async () => {
    if (!existsSync(ICD) || !existsSync(`${CHROMIUM}/libvulkan.so.1`)) {
      throw new Error(
        `the WebGPU test runs onnxruntime-node's WebGPU provider on SwiftShader from Debian's chromium, but ${ICD} is missing: ` +
          'run `apt-get update && apt-get install -y chromium` (.ci/run does)',
      );
    }
    const script = new URL('./webgpu-child.ts', import.meta.url);
    const started = performance.now();
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', script.pathname],
        {
          cwd: new URL('../../', import.meta.url).pathname,
          env: { ...process.env, LD_LIBRARY_PATH: CHROMIUM, VK_ICD_FILENAMES: ICD },
          timeout: 30_000,
        },
        (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
      );
      child.stdin?.end();
    });
    const wallMs = performance.now() - started;
    const line = stdout.trim().split('\n').at(-1) ?? '';
    let result: {
      error?: { code: string | null; message: string };
      provider?: string;
      warnings?: string[];
      diff?: { logits: number; mean: number; repeat: number };
      ms?: { create: number; firstRun: number; secondRun: number };
    };
    try {
      result = JSON.parse(line);
    } catch {
      throw new Error(`the webgpu child printed no result (exit ${code}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
    }
    expect(result.error, `webgpu child failed: ${JSON.stringify(result.error)}\n${stderr.slice(-2000)}`).toBeUndefined();
    expect(code).toBe(0);
    expect(result.provider).toBe('webgpu');
    expect(result.warnings).toEqual([]);
    expect(result.diff!.logits).toBeLessThanOrEqual(1e-4);
    expect(result.diff!.mean).toBeLessThanOrEqual(1e-4);
    expect(result.diff!.repeat).toBe(0);
    console.info(
      `webgpu (SwiftShader): max |Δ| vs cpu logits ${result.diff!.logits.toExponential(2)}, mean ${result.diff!.mean.toExponential(2)}; ` +
        `create ${result.ms!.create.toFixed(0)} ms, first run ${result.ms!.firstRun.toFixed(0)} ms, second ${result.ms!.secondRun.toFixed(0)} ms, ` +
        `child wall ${wallMs.toFixed(0)} ms`,
    );
  }, 40_000);
});

describe('ortNodeBackend.readFile', () => {
  it('reads a path, a file: URL string and a URL object', async () => {
    const path = graphPath('decoder');
    const a = await ortNodeBackend.readFile(path);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(a).equals(Buffer.from(decoder))).toBe(true);
    expect((await ortNodeBackend.readFile(pathToFileURL(path).href)).length).toBe(decoder.length);
    expect((await ortNodeBackend.readFile(pathToFileURL(path))).length).toBe(decoder.length);
  });

  it('reads http URLs with fetch', async () => {
    const bytes = await ortNodeBackend.readFile(`${server.url}decoder.onnx`);
    expect(Buffer.from(bytes).equals(Buffer.from(decoder))).toBe(true);
    const session = await ortNodeBackend.createSession(bytes, { device: 'cpu' });
    expect(session.provider).toBe('cpu');
    await session.release();
  });

  it('reports a missing path, file: URL or HTTP 404 as io-error naming the location', async () => {
    const missing = '/nonexistent/vaekit/decoder.onnx';
    const e1 = await rejection(ortNodeBackend.readFile(missing));
    expect(e1.code).toBe('io-error');
    expect(e1.message).toMatch(/^could not read "\/nonexistent\/vaekit\/decoder\.onnx": ENOENT: no such file or directory/);
    const e2 = await rejection(ortNodeBackend.readFile(pathToFileURL(missing)));
    expect(e2.code).toBe('io-error');
    expect(e2.message).toContain('"file:///nonexistent/vaekit/decoder.onnx" ("/nonexistent/vaekit/decoder.onnx")');
    const e3 = await rejection(ortNodeBackend.readFile(`${server.url}nope.onnx`));
    expect(e3.code).toBe('io-error');
    expect(e3.message).toBe(`could not read "${server.url}nope.onnx": HTTP 404 Not Found`);
    const e4 = await rejection(ortNodeBackend.readFile(''));
    expect(e4.code).toBe('invalid-argument');
  });
});
