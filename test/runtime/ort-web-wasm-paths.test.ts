import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { env } from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { ortWebBackend, setWasmPaths } from '../../src/runtime/ort-web.js';
import { LATENT_DIM, loadGraph, seededZ } from './fixtures.js';

// Each test file runs in its own process (vitest forks), so onnxruntime-web starts afresh here.
describe('setWasmPaths', () => {
  it('points env.wasm.wasmPaths at the given folder (a trailing slash is added)', async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web')); // …/onnxruntime-web/dist
    setWasmPaths(pathToFileURL(dist)); // no trailing slash
    const session = await ortWebBackend.createSession(await loadGraph('decoder'), { device: 'wasm' });
    expect(env.wasm.wasmPaths).toBe(`${pathToFileURL(dist).href}/`);
    expect(session.provider).toBe('wasm');
    const out = await session.run({ z: { data: seededZ(2), dims: [2, LATENT_DIM] } });
    expect(out.mean!.data.length).toBe(2 * 784);
    await session.release();
  });
});
