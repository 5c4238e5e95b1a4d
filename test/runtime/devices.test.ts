import { describe, expect, it } from 'vitest';
import { DEVICE_TABLE, NODE_DEVICES, WEB_DEVICES } from '../../src/runtime/devices.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { ortWebBackend } from '../../src/runtime/ort-web.js';
import { ortWebNodeBackend } from '../../src/runtime/ort-web-node.js';
import { providerCandidates } from '../../src/runtime/providers.js';

describe('DEVICE_TABLE', () => {
  it('is where each adapter takes its device names from', () => {
    expect(ortNodeBackend.devices).toBe(NODE_DEVICES);
    expect(ortWebBackend.devices).toBe(WEB_DEVICES);
    expect(ortWebNodeBackend.devices).toBe(NODE_DEVICES); // onnxruntime-web under the Node names
    expect([...NODE_DEVICES]).toEqual(['auto', 'cpu', 'webgpu', 'cuda']);
    expect([...WEB_DEVICES]).toEqual(['auto', 'wasm', 'webgpu']);
  });

  it.each(Object.entries(DEVICE_TABLE))('%s: one provider list per device, each ending with the fallback', (name, row) => {
    expect(Object.keys(row.providers)).toEqual([...row.devices]);
    expect(row.devices[0]).toBe('auto');
    for (const [device, providers] of Object.entries(row.providers) as [string, readonly string[]][]) {
      expect(providers.at(-1), device).toBe(row.fallback);
      expect(new Set(providers).size, `${device}: ${providers.join(', ')}`).toBe(providers.length);
      // A named device tries itself first; onnxruntime-web's 'cpu' in Node is its wasm.
      const first = name === 'onnxruntime-web-node' && device === 'cpu' ? 'wasm' : device;
      if (device !== 'auto') expect(providers[0], device).toBe(first);
    }
  });

  it('gives these lists', () => {
    expect(DEVICE_TABLE['onnxruntime-node'].providers).toEqual({ auto: ['cuda', 'cpu'], cpu: ['cpu'], webgpu: ['webgpu', 'cpu'], cuda: ['cuda', 'cpu'] });
    expect(DEVICE_TABLE['onnxruntime-web'].providers).toEqual({ auto: ['webgpu', 'wasm'], wasm: ['wasm'], webgpu: ['webgpu', 'wasm'] });
    expect(DEVICE_TABLE['onnxruntime-web-node'].providers).toEqual({ auto: ['wasm'], cpu: ['wasm'], webgpu: ['webgpu', 'wasm'], cuda: ['cuda', 'wasm'] });
    expect(Object.keys(DEVICE_TABLE)).toEqual(['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-web-node']);
  });
});

describe('providerCandidates', () => {
  const node = DEVICE_TABLE['onnxruntime-node'];
  const noCuda = (p: string) => (p === 'cuda' ? 'no library' : null);

  it('follows the table, skipping an unusable provider silently for auto only', async () => {
    expect(await providerCandidates(node, 'auto', noCuda)).toEqual([{ name: 'cuda', skip: { reason: 'no library', silent: true } }, { name: 'cpu' }]);
    expect(await providerCandidates(node, 'cuda', noCuda)).toEqual([{ name: 'cuda', skip: { reason: 'no library', silent: false } }, { name: 'cpu' }]);
    expect(await providerCandidates(node, 'webgpu', noCuda)).toEqual([{ name: 'webgpu' }, { name: 'cpu' }]);
    expect(await providerCandidates(node, 'cuda', () => null)).toEqual([{ name: 'cuda' }, { name: 'cpu' }]);
  });

  it('never asks about the fallback, and awaits an asynchronous check', async () => {
    const asked: string[] = [];
    const web = DEVICE_TABLE['onnxruntime-web'];
    const candidates = await providerCandidates(web, 'webgpu', async (p) => {
      asked.push(p);
      return 'no adapter';
    });
    expect(asked).toEqual(['webgpu']);
    expect(candidates).toEqual([{ name: 'webgpu', skip: { reason: 'no adapter', silent: false } }, { name: 'wasm' }]);
    expect(await providerCandidates(web, 'wasm', () => 'never')).toEqual([{ name: 'wasm' }]);
  });

  it('onnxruntime-web in Node: auto and cpu are wasm alone, cuda and webgpu are named before the fallback', async () => {
    const row = DEVICE_TABLE['onnxruntime-web-node'];
    const absent = (p: string) => (p === 'cuda' || p === 'webgpu' ? 'needs onnxruntime-node' : null);
    expect(await providerCandidates(row, 'auto', () => 'never')).toEqual([{ name: 'wasm' }]);
    expect(await providerCandidates(row, 'cpu', () => 'never')).toEqual([{ name: 'wasm' }]);
    expect(await providerCandidates(row, 'cuda', absent)).toEqual([{ name: 'cuda', skip: { reason: 'needs onnxruntime-node', silent: false } }, { name: 'wasm' }]);
    expect(await providerCandidates(row, 'webgpu', absent)).toEqual([{ name: 'webgpu', skip: { reason: 'needs onnxruntime-node', silent: false } }, { name: 'wasm' }]);
  });
});
