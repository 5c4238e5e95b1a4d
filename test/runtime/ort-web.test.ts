import { InferenceSession, env } from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { ortWebBackend, setWasmPaths } from '../../src/runtime/ort-web.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import { LATENT_DIM, loadGraph, maxAbsDiff, rejection, seededZ, serveModels } from './fixtures.js';

// In Node, `onnxruntime-web` resolves to its Node build (wasm only); it finds its own .wasm files.
const N = 32;
let decoder: Uint8Array;
let encoder: Uint8Array;
let server: Awaited<ReturnType<typeof serveModels>>;

beforeAll(async () => {
  decoder = await loadGraph('decoder');
  encoder = await loadGraph('encoder');
  server = await serveModels();
});
afterAll(() => server.close());

async function providerLists<T>(fn: () => Promise<T>): Promise<{ result: T; lists: unknown[] }> {
  const spy = vi.spyOn(InferenceSession, 'create');
  try {
    const result = await fn();
    return { result, lists: spy.mock.calls.map((call) => (call[1] as InferenceSession.SessionOptions | undefined)?.executionProviders) };
  } finally {
    spy.mockRestore();
  }
}

describe('ortWebBackend (wasm in Node)', () => {
  it('names its devices', () => {
    expect(ortWebBackend.name).toBe('onnxruntime-web');
    expect([...ortWebBackend.devices]).toEqual(['auto', 'wasm', 'webgpu']);
  });

  it('runs the decoder on wasm with an explicit provider list and matches ort-node cpu within 1e-5', async () => {
    const z = seededZ(N);
    const { result: web, lists } = await providerLists(() => ortWebBackend.createSession(decoder, { device: 'wasm' }));
    expect(lists).toEqual([['wasm']]);
    expect(web.provider).toBe('wasm');
    expect(web.inputNames).toEqual(['z']);
    expect(web.outputNames).toEqual(['logits', 'mean']);
    // Not cross-origin isolated (Node): one thread.
    expect(env.wasm.numThreads).toBe(1);
    const cpu = await ortNodeBackend.createSession(decoder, { device: 'cpu' });
    const a = await web.run({ z: { data: z, dims: [N, LATENT_DIM] } });
    const b = await cpu.run({ z: { data: z, dims: [N, LATENT_DIM] } });
    expect(a.logits!.dims).toEqual([N, 28, 28, 1]);
    expect(a.logits!.data).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(a.logits!.data, b.logits!.data)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(a.mean!.data, b.mean!.data)).toBeLessThanOrEqual(1e-5);
    await web.release();
    await cpu.release();
  });

  it('encodes real MNIST digits like ort-node cpu within 1e-5', async () => {
    const mnist = await loadEmbeddedMnist({ perClassLimit: 10 });
    const n = mnist.test.count;
    const web = await ortWebBackend.createSession(encoder, { device: 'wasm', graphOptimization: 'extended' });
    const cpu = await ortNodeBackend.createSession(encoder, { device: 'cpu' });
    const feeds = { x: { data: mnist.test.x, dims: [n, 28, 28, 1] } };
    const a = await web.run(feeds);
    const b = await cpu.run(feeds);
    expect(maxAbsDiff(a.mu!.data, b.mu!.data)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(a.logvar!.data, b.logvar!.data)).toBeLessThanOrEqual(1e-5);
    await web.release();
    await cpu.release();
  });

  it('passes spinning: false to onnxruntime-web (threads sleep when idle) and decodes the same', async () => {
    const spy = vi.spyOn(InferenceSession, 'create');
    const spinning = await ortWebBackend.createSession(decoder, { device: 'wasm' });
    const never = await ortWebBackend.createSession(decoder, { device: 'wasm', spinning: false });
    const sessions = spy.mock.calls.map((call) => (call[1] as InferenceSession.SessionOptions).extra?.['session'] as Record<string, unknown> | undefined);
    spy.mockRestore();
    expect(sessions[0]?.['intra_op']).toBeUndefined();
    expect(sessions[1]?.['intra_op']).toEqual({ allow_spinning: '0' });
    const z = { z: { data: seededZ(N), dims: [N, LATENT_DIM] } };
    const [a, b] = [await spinning.run(z), await never.run(z)];
    expect(maxAbsDiff(a.mean!.data, b.mean!.data)).toBe(0);
    expect(maxAbsDiff(a.logits!.data, b.logits!.data)).toBe(0);
    await Promise.all([spinning.release(), never.release()]);
  });

  it("uses wasm for 'auto' without a warning when there is no navigator.gpu", async () => {
    const warnings: string[] = [];
    const { result: session, lists } = await providerLists(() => ortWebBackend.createSession(decoder, { onWarning: (m) => warnings.push(m) }));
    expect(lists).toEqual([['wasm']]);
    expect(session.provider).toBe('wasm');
    expect(warnings).toEqual([]);
    await session.release();
  });

  it("falls back from 'webgpu' to wasm with a warning, or throws under strict", async () => {
    const warnings: string[] = [];
    const session = await ortWebBackend.createSession(decoder, { device: 'webgpu', onWarning: (m) => warnings.push(m) });
    expect(session.provider).toBe('wasm');
    expect(warnings).toEqual([
      "vaekit: onnxruntime-web fell back to 'wasm' for device 'webgpu': [webgpu] navigator.gpu is not available " +
        '(onnxruntime-web runs wasm only in Node; use onnxruntime-node for WebGPU there)',
    ]);
    await session.release();
    const e = await rejection(ortWebBackend.createSession(decoder, { device: 'webgpu', strict: true }));
    expect(e.code).toBe('provider-unavailable');
    expect(e.message).toMatch(/^device 'webgpu' is unavailable with onnxruntime-web \(strict: true, so no fallback to wasm\): \[webgpu\] navigator\.gpu is not available/);
  });

  it("asks navigator.gpu for an adapter and reports a null one (a stubbed navigator)", async () => {
    const requestAdapter = vi.fn(async () => null);
    vi.stubGlobal('navigator', { gpu: { requestAdapter } });
    try {
      const warnings: string[] = [];
      const auto = await ortWebBackend.createSession(decoder, { device: 'auto', onWarning: (m) => warnings.push(m) });
      expect(auto.provider).toBe('wasm');
      expect(warnings).toEqual([]);
      const explicit = await ortWebBackend.createSession(decoder, { device: 'webgpu', onWarning: (m) => warnings.push(m) });
      expect(explicit.provider).toBe('wasm');
      expect(warnings).toEqual(["vaekit: onnxruntime-web fell back to 'wasm' for device 'webgpu': [webgpu] navigator.gpu.requestAdapter() returned null (no adapter)"]);
      expect(requestAdapter).toHaveBeenCalledTimes(2);
      await auto.release();
      await explicit.release();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('refuses devices it does not have with provider-unavailable, listing the supported ones', async () => {
    for (const device of ['cpu', 'cuda', 'gpu']) {
      const e = await rejection(ortWebBackend.createSession(decoder, { device: device as 'wasm' }));
      expect(e.code).toBe('provider-unavailable');
      expect(e.message).toBe(`'device' must be one of 'auto', 'wasm', 'webgpu' with onnxruntime-web; found "${device}"`);
    }
  });

  it('maps corrupt and truncated bytes to corrupt-graph', async () => {
    for (const bytes of [decoder.subarray(0, 1000), decoder.subarray(0, decoder.length - 3), Uint8Array.of(8, 1, 2, 3)]) {
      const e = await rejection(ortWebBackend.createSession(bytes, { device: 'wasm' }));
      expect(e.code).toBe('corrupt-graph');
      expect(e.message).toMatch(/^onnxruntime-web could not load the graph with provider 'wasm': Can't create a session\. ERROR_CODE: \d+, ERROR_MESSAGE: /);
    }
  });

  it('checks feeds and refuses run() after release()', async () => {
    const session = await ortWebBackend.createSession(decoder, { device: 'wasm' });
    const e = await rejection(session.run({ z: { data: seededZ(1), dims: [1, LATENT_DIM + 1] } }));
    expect(e.code).toBe('invalid-argument');
    await session.release();
    expect((await rejection(session.run({ z: { data: seededZ(1), dims: [1, LATENT_DIM] } }))).code).toBe('disposed');
  });

  it('refuses setWasmPaths() once the runtime has started, and bad arguments', () => {
    expect(() => setWasmPaths('https://cdn.example/ort/')).toThrow(/setWasmPaths\(\) must be called before the first onnxruntime-web session/);
    expect(() => setWasmPaths(42 as never)).toThrow(/'paths' must be a folder URL or string, an object \{ wasm, mjs \} of file URLs, or null; found 42/);
    expect(() => setWasmPaths({} as never)).toThrow(/'paths' must be/);
  });
});

describe('ortWebBackend.readFile', () => {
  it('fetches http URLs', async () => {
    const bytes = await ortWebBackend.readFile(new URL('decoder.onnx', server.url));
    expect(Buffer.from(bytes).equals(Buffer.from(decoder))).toBe(true);
  });

  it('reports HTTP errors and unfetchable locations as io-error naming the location', async () => {
    const e1 = await rejection(ortWebBackend.readFile(`${server.url}missing.onnx`));
    expect(e1.code).toBe('io-error');
    expect(e1.message).toBe(`could not read "${server.url}missing.onnx": HTTP 404 Not Found`);
    // No page to resolve a relative path against in Node.
    const e2 = await rejection(ortWebBackend.readFile('models/mnist-mlp/decoder.onnx'));
    expect(e2.code).toBe('io-error');
    expect(e2.message).toBe('could not read "models/mnist-mlp/decoder.onnx": fetch failed: Failed to parse URL from models/mnist-mlp/decoder.onnx');
    const closed = await serveModels();
    await closed.close();
    const e3 = await rejection(ortWebBackend.readFile(`${closed.url}decoder.onnx`));
    expect(e3.code).toBe('io-error');
    expect(e3.message).toMatch(/^could not read "http:\/\/127\.0\.0\.1:\d+\/decoder\.onnx": fetch failed: connect ECONNREFUSED/);
  });
});
