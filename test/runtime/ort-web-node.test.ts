import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_DEVICES } from '../../src/runtime/devices.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { WASM_NOTICE, ortWebNodeBackend } from '../../src/runtime/ort-web-node.js';
import { Vae } from '../../src/vae/vae.js';
import { inChild } from '../hostile/harness.js';
import { LATENT_DIM, MODEL_DIR, loadGraph, maxAbsDiff, rejection, seededZ, serveModels } from './fixtures.js';

// ortWebNodeBackend is what the Node entry registers when onnxruntime-node is not installed; here
// it is installed, so the tests pick the runtime by hand. The notice is once per process: in this
// file whichever test creates the first session receives it, so fallback assertions leave it out
// (`besidesNotice`), and the child-process test below counts it in a fresh process.
const INSTALL = 'npm i onnxruntime-node@1.30.0';
const besidesNotice = (warnings: readonly string[]) => warnings.filter((w) => w !== WASM_NOTICE);

let server: Awaited<ReturnType<typeof serveModels>>;
beforeAll(async () => {
  server = await serveModels();
});
afterAll(() => server.close());

describe('ortWebNodeBackend: onnxruntime-web in Node under the Node device names', () => {
  it('is named onnxruntime-web and accepts the Node devices', () => {
    expect(ortWebNodeBackend.name).toBe('onnxruntime-web');
    expect(ortWebNodeBackend.devices).toBe(NODE_DEVICES);
  });

  it('loads models/mnist-mlp from a folder path on wasm, within 1e-5 of onnxruntime-node', async () => {
    const warnings: string[] = [];
    const web = await Vae.load(MODEL_DIR, { runtime: ortWebNodeBackend, onWarning: (m) => warnings.push(m) });
    const native = await Vae.load(MODEL_DIR, { runtime: ortNodeBackend, device: 'cpu' });
    expect(web.provider).toEqual({ encoder: 'wasm', decoder: 'wasm' });
    expect(native.provider).toEqual({ encoder: 'cpu', decoder: 'cpu' });
    expect(besidesNotice(warnings)).toEqual([]);
    const a = await web.sample(8, { seed: 5 });
    const b = await native.sample(8, { seed: 5 });
    expect(maxAbsDiff(a.mean.data, b.mean.data)).toBeLessThan(1e-5);
    const ea = await web.encode(a.mean);
    const eb = await native.encode(a.mean);
    expect(maxAbsDiff(ea.mu.data, eb.mu.data)).toBeLessThan(1e-5);
    expect(maxAbsDiff(ea.logvar.data, eb.logvar.data)).toBeLessThan(1e-5);
    const sa = await web.elbo(a.mean, { seed: 1 });
    const sb = await native.elbo(a.mean, { seed: 1 });
    expect(Math.max(...sa.perExample.map((v, i) => Math.abs(v - sb.perExample[i]!)))).toBeLessThan(1e-3); // nats summed over 784 pixels
    await Promise.all([web.dispose(), native.dispose()]);
  });

  it("runs 'cpu' on wasm without a warning", async () => {
    const warnings: string[] = [];
    const session = await ortWebNodeBackend.createSession(await loadGraph('decoder'), { device: 'cpu', onWarning: (m) => warnings.push(m) });
    expect(session.provider).toBe('wasm');
    expect(besidesNotice(warnings)).toEqual([]);
    const out = await session.run({ z: { data: seededZ(2), dims: [2, LATENT_DIM] } });
    expect(out.mean!.dims).toEqual([2, 28, 28, 1]);
    await session.release();
  });

  it.each(['cuda', 'webgpu'] as const)("falls back from '%s' to wasm with a warning naming the install line", async (device) => {
    const warnings: string[] = [];
    const vae = await Vae.load(MODEL_DIR, { runtime: ortWebNodeBackend, device, onWarning: (m) => warnings.push(m) });
    expect(vae.provider).toEqual({ encoder: 'wasm', decoder: 'wasm' });
    expect(besidesNotice(warnings)).toEqual([
      `vaekit: onnxruntime-web fell back to 'wasm' for device '${device}': [${device}] needs onnxruntime-node, which is not installed (${INSTALL})`,
    ]);
    await vae.dispose();
  });

  it("throws provider-unavailable for 'cuda' and 'webgpu' under strict", async () => {
    for (const device of ['cuda', 'webgpu'] as const) {
      const e = await rejection(Vae.load(MODEL_DIR, { runtime: ortWebNodeBackend, device, strict: true, onWarning: () => {} }));
      expect(e.code).toBe('provider-unavailable');
      expect(e.message).toBe(
        `device '${device}' is unavailable with onnxruntime-web (strict: true, so no fallback to wasm): [${device}] needs onnxruntime-node, which is not installed (${INSTALL})`,
      );
    }
  });

  it("refuses the browser's device name 'wasm' and unknown ones, listing the Node names", async () => {
    const decoder = await loadGraph('decoder');
    for (const device of ['wasm', 'gpu']) {
      const e = await rejection(ortWebNodeBackend.createSession(decoder, { device: device as 'cpu' }));
      expect(e.code).toBe('provider-unavailable');
      expect(e.message).toBe(`'device' must be one of 'auto', 'cpu', 'webgpu', 'cuda' with onnxruntime-web; found "${device}"`);
    }
  });

  it('reads a path, a file: URL and an http URL, with the same size checks as onnxruntime-node', async () => {
    const decoder = await loadGraph('decoder');
    const path = `${MODEL_DIR}decoder.onnx`;
    for (const location of [path, pathToFileURL(path), `${server.url}decoder.onnx`]) {
      expect(Buffer.from(await ortWebNodeBackend.readFile(location)).equals(Buffer.from(decoder)), String(location)).toBe(true);
    }
    const limit = { bytes: decoder.length + 1, exact: true, code: 'integrity-mismatch' as const, what: 'decoder.onnx' };
    const e = await rejection(ortWebNodeBackend.readFile(path, { limit }));
    expect(e.code).toBe('integrity-mismatch');
    const device = await rejection(ortWebNodeBackend.readFile('/dev/zero'));
    expect(device.code).toBe('io-error');
    expect(device.message).toMatch(/it is a device/);
  });

  it('maps bad bytes to corrupt-graph, as onnxruntime-node does', async () => {
    const decoder = await loadGraph('decoder');
    const e = await rejection(ortWebNodeBackend.createSession(decoder.subarray(0, 5000), { device: 'cpu', onWarning: () => {} }));
    expect(e.code).toBe('corrupt-graph');
    expect(e.message).toMatch(/^onnxruntime-web could not load the graph with provider 'wasm'/);
  });
});

describe('ortWebNodeBackend: the notice, once per process (child process)', () => {
  it('says once, through onWarning, then console.warn never again, across two loads', async () => {
    const { result, exitCode, stderr } = await inChild(`
      const { ortWebNodeBackend, WASM_NOTICE } = await import(src('runtime/ort-web-node.ts'));
      const { Vae } = await import(src('vae/vae.ts'));
      const model = ${JSON.stringify(MODEL_DIR)};
      const first: string[] = [];
      const a = await Vae.load(model, { runtime: ortWebNodeBackend, onWarning: (m: string) => first.push(m) });
      const second: string[] = [];
      const b = await Vae.load(model, { runtime: ortWebNodeBackend, device: 'cuda', onWarning: (m: string) => second.push(m) });
      const warned: string[] = [];
      console.warn = (m: string) => warned.push(m);
      const c = await Vae.load(model, { runtime: ortWebNodeBackend });
      report({ first, second, warned, notice: WASM_NOTICE, providers: [a.provider, b.provider, c.provider] });
      await Promise.all([a.dispose(), b.dispose(), c.dispose()]);
    `);
    expect(exitCode, stderr).toBe(0);
    expect(result.notice).toBe(
      "vaekit: onnxruntime-node is not installed, so models run on onnxruntime-web's wasm build (CPU, slower than native); " +
        `for native speed and the cuda/webgpu devices: ${INSTALL}`,
    );
    expect(result.first).toEqual([result.notice]);
    expect(result.second).toEqual([`vaekit: onnxruntime-web fell back to 'wasm' for device 'cuda': [cuda] needs onnxruntime-node, which is not installed (${INSTALL})`]);
    expect(result.warned).toEqual([]);
    expect(result.providers).toEqual(Array(3).fill({ encoder: 'wasm', decoder: 'wasm' }));
  }, 60_000);

  it('goes to console.warn when no onWarning is given', async () => {
    const { result, exitCode, stderr } = await inChild(`
      const { ortWebNodeBackend, WASM_NOTICE } = await import(src('runtime/ort-web-node.ts'));
      const { Vae } = await import(src('vae/vae.ts'));
      const warned: string[] = [];
      console.warn = (...args: unknown[]) => warned.push(args.join(' '));
      const a = await Vae.load(${JSON.stringify(MODEL_DIR)}, { runtime: ortWebNodeBackend });
      const b = await Vae.load(${JSON.stringify(MODEL_DIR)}, { runtime: ortWebNodeBackend });
      report({ same: warned.length === 1 && warned[0] === WASM_NOTICE, warned });
      await Promise.all([a.dispose(), b.dispose()]);
    `);
    expect(exitCode, stderr).toBe(0);
    expect(result.same, JSON.stringify(result.warned)).toBe(true);
  }, 60_000);
});
