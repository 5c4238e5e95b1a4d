import { describe, expect, it } from 'vitest';
import { conciseOrtMessage, createWithFallback, isGraphLoadFailure } from '../../src/runtime/providers.js';
import { rejection } from './fixtures.js';

// Messages as onnxruntime 1.30 throws them (recorded on this machine).
const NO_ADAPTER =
  '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n';
const INVALID_GRAPH =
  '/onnxruntime_src/onnxruntime/core/graph/graph.cc:1555 void onnxruntime::Graph::InitializeStateFromModelFileGraphProto() This is an invalid model. Graph output (mean) does not exist in the graph.';

describe('conciseOrtMessage', () => {
  it('drops the C++ location, function and failed check', () => {
    expect(conciseOrtMessage(new Error(NO_ADAPTER))).toBe('Failed to get a WebGPU adapter: No supported adapters');
    expect(conciseOrtMessage(new Error(INVALID_GRAPH))).toBe('This is an invalid model. Graph output (mean) does not exist in the graph.');
    expect(conciseOrtMessage(new Error('no available backend found. ERR: [wasm] Error: nope'))).toBe('Error: nope');
    expect(conciseOrtMessage('Failed to load model because protobuf parsing failed.')).toBe('Failed to load model because protobuf parsing failed.');
  });
});

describe('isGraphLoadFailure', () => {
  it('tells bad bytes from a provider that cannot start', () => {
    for (const m of [
      'Failed to load model because protobuf parsing failed.',
      'Model data pointer is null.',
      "Can't create a session. ERROR_CODE: 2, ERROR_MESSAGE: No graph was found in the protobuf.",
      "Invalid model. Node input 'decoder_dense_1' is not a graph input, initializer, or output of a previous node.",
      INVALID_GRAPH,
    ]) {
      expect(isGraphLoadFailure(m), m).toBe(true);
    }
    for (const m of [NO_ADAPTER, 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library', 'navigator.gpu is not available']) {
      expect(isGraphLoadFailure(m), m).toBe(false);
    }
  });
});

describe('createWithFallback', () => {
  const attempt = (failing: Record<string, string>) => async (provider: string) => {
    if (provider in failing) throw new Error(failing[provider]);
    return `session on ${provider}`;
  };

  it('lists every failure in one warning and reports the provider used', async () => {
    const warnings: string[] = [];
    const { session, provider } = await createWithFallback({
      backend: 'test-ort',
      requested: 'webgpu',
      candidates: [{ name: 'webgpu' }, { name: 'cuda', skip: { reason: 'library missing', silent: false } }, { name: 'quiet', skip: { reason: 'x', silent: true } }, { name: 'cpu' }],
      fallback: 'cpu',
      strict: false,
      onWarning: (m) => warnings.push(m),
      attempt: attempt({ webgpu: NO_ADAPTER }),
    });
    expect([session, provider]).toEqual(['session on cpu', 'cpu']);
    expect(warnings).toEqual([
      "vaekit: test-ort fell back to 'cpu' for device 'webgpu': [webgpu] Failed to get a WebGPU adapter: No supported adapters, [cuda] library missing",
    ]);
  });

  it('throws one provider-unavailable listing every failure under strict', async () => {
    const e = await rejection(
      createWithFallback({
        backend: 'test-ort',
        requested: 'webgpu',
        candidates: [{ name: 'webgpu' }, { name: 'cuda' }, { name: 'cpu' }],
        fallback: 'cpu',
        strict: true,
        onWarning: () => {},
        attempt: attempt({ webgpu: 'no adapter', cuda: 'no driver' }),
      }),
    );
    expect(e.code).toBe('provider-unavailable');
    expect(e.message).toBe("device 'webgpu' is unavailable with test-ort (strict: true, so no fallback to cpu): [webgpu] no adapter, [cuda] no driver");
  });

  it("does not apply strict to 'auto', whose chain ends at the fallback by definition", async () => {
    const warnings: string[] = [];
    const { provider } = await createWithFallback({
      backend: 'test-ort',
      requested: 'auto',
      candidates: [{ name: 'cuda' }, { name: 'cpu' }],
      fallback: 'cpu',
      strict: true,
      onWarning: (m) => warnings.push(m),
      attempt: attempt({ cuda: 'no driver' }),
    });
    expect(provider).toBe('cpu');
    expect(warnings).toEqual(["vaekit: test-ort fell back to 'cpu' for device 'auto': [cuda] no driver"]);
  });

  it('stops at the first graph-load failure: no provider loads bad bytes', async () => {
    const tried: string[] = [];
    const e = await rejection(
      createWithFallback({
        backend: 'test-ort',
        requested: 'cuda',
        candidates: [{ name: 'cuda' }, { name: 'cpu' }],
        fallback: 'cpu',
        strict: false,
        onWarning: () => {},
        attempt: async (p) => {
          tried.push(p);
          throw new Error('Failed to load model because protobuf parsing failed.');
        },
      }),
    );
    expect(tried).toEqual(['cuda']);
    expect(e.code).toBe('corrupt-graph');
    expect(e.message).toBe("test-ort could not load the graph with provider 'cuda': Failed to load model because protobuf parsing failed.");
  });
});
