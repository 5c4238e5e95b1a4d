import { describe, expect, it } from 'vitest';
import { ortWebBackend, setWasmPaths } from '../../src/runtime/ort-web.js';
import { loadGraph, rejection } from './fixtures.js';

// Its own file, hence its own process: onnxruntime-web has not started yet.
describe('setWasmPaths to a folder without the files', () => {
  it('fails with provider-unavailable naming the file it could not load, not corrupt-graph', async () => {
    setWasmPaths({ mjs: 'file:///nonexistent/vaekit-ort/ort-wasm-simd-threaded.mjs', wasm: 'file:///nonexistent/vaekit-ort/ort-wasm-simd-threaded.wasm' });
    const e = await rejection(ortWebBackend.createSession(await loadGraph('decoder'), { device: 'wasm' }));
    expect(e.code).toBe('provider-unavailable');
    expect(e.message).toMatch(/^device 'wasm' is unavailable with onnxruntime-web: \[wasm\] .*nonexistent\/vaekit-ort\/ort-wasm-simd-threaded\.mjs/);
  });
});
