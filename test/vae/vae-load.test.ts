import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GraphSession, RuntimeBackend, SessionOptions } from '../../src/runtime/backend.js';
import { cudaUnavailableReason, ortNodeBackend } from '../../src/runtime/ort-node.js';
import { Vae } from '../../src/vae/vae.js';

const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));

afterEach(() => vi.restoreAllMocks());

/**
 * ortNodeBackend behind a wrapper that records each session it creates (which graph, with which
 * options) and each release: a real runtime, every call passed through.
 */
function countingRuntime() {
  const created: { bytes: Uint8Array; options: SessionOptions | undefined; session: GraphSession }[] = [];
  let released = 0;
  const runtime: RuntimeBackend = {
    ...ortNodeBackend,
    async createSession(model, options) {
      const session = await ortNodeBackend.createSession(model, options);
      created.push({ bytes: model, options, session });
      return {
        get inputNames() { return session.inputNames; },
        get outputNames() { return session.outputNames; },
        provider: session.provider,
        run: (feeds, outputs) => session.run(feeds, outputs),
        release: async () => {
          released++;
          await session.release();
        },
      };
    },
  };
  return { runtime, created, released: () => released };
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

describe('Vae.load: one session per graph', () => {
  it('creates three sessions — encoder, decoder, likelihood scorer — loading each graph once, and releases all three', async () => {
    const encoder = new Uint8Array(await readFile(join(MODEL, 'encoder.onnx')));
    const decoder = new Uint8Array(await readFile(join(MODEL, 'decoder.onnx')));
    const { runtime, created, released } = countingRuntime();
    const vae = await Vae.load(MODEL, { runtime, device: 'cpu' });
    expect(created).toHaveLength(3);
    expect(created.filter((c) => same(c.bytes, encoder))).toHaveLength(1);
    expect(created.filter((c) => same(c.bytes, decoder))).toHaveLength(1);
    const scorer = created.find((c) => !same(c.bytes, encoder) && !same(c.bytes, decoder))!;
    expect(scorer.session.inputNames).toEqual(expect.arrayContaining(['x', 'logits']));

    // Decoding and scoring both run on that one decoder session.
    const z = new Float32Array(3 * 20).fill(0.1);
    const { mean } = await vae.decode(z);
    const scores = await vae.logLikelihood(mean, { k: 10, seed: 1 });
    expect(scores.perExample.every(Number.isFinite)).toBe(true);
    expect(created).toHaveLength(3);

    await vae.dispose();
    expect(released()).toBe(3);
  });
});

describe("Vae.load: a device that falls back warns once per load, with one 'vaekit: ' prefix", () => {
  // The CUDA provider library is absent here (.npmrc skips its download), so 'cuda' falls back to
  // cpu for the encoder and the decoder alike; where it is installed, either CUDA runs (no
  // warning) or the attempt fails for another reason (one warning naming it).
  let reason: string | null;
  beforeAll(async () => {
    reason = await cudaUnavailableReason();
  });

  function expectOneCudaWarning(warnings: readonly string[], provider: Vae['provider']): void {
    if (provider.decoder === 'cuda') {
      expect(provider.encoder).toBe('cuda');
      expect(warnings).toEqual([]);
      return;
    }
    expect(provider).toEqual({ encoder: 'cpu', decoder: 'cpu' });
    expect(warnings).toHaveLength(1);
    if (reason !== null) {
      expect(warnings[0]).toBe(`vaekit: onnxruntime-node fell back to 'cpu' for device 'cuda': [cuda] ${reason}`);
    } else {
      expect(warnings[0]).toMatch(/^vaekit: onnxruntime-node fell back to 'cpu' for device 'cuda': \[cuda\] /);
    }
    expect(warnings[0]).not.toMatch(/vaekit: vaekit:/);
  }

  it('through onWarning', async () => {
    const warnings: string[] = [];
    const vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cuda', onWarning: (m) => warnings.push(m) });
    expectOneCudaWarning(warnings, vae.provider);
    await vae.dispose();
  });

  it('through console.warn by default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cuda' });
    expectOneCudaWarning(warn.mock.calls.map((call) => String(call[0])), vae.provider);
    expect(warn.mock.calls.every((call) => call.length === 1)).toBe(true);
    await vae.dispose();
  });

  it('each load warns again (once)', async () => {
    const warnings: string[] = [];
    const a = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cuda', onWarning: (m) => warnings.push(m) });
    const b = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cuda', onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(a.provider.decoder === 'cuda' ? 0 : 2);
    expect(new Set(warnings).size).toBeLessThanOrEqual(1);
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it("prefixes the range warning once too", async () => {
    const warnings: string[] = [];
    const vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu', onWarning: (m) => warnings.push(m) });
    await vae.encode(new Float32Array(784).fill(2));
    expect(warnings).toEqual(["vaekit: 'x' has values in [2, 2]; model 'mnist-mlp' was trained on [0, 1]"]);
    await vae.dispose();
  });
});
