import * as ort from 'onnxruntime-node';
import { VaekitError } from '../errors.js';
import type { GraphSession, RuntimeBackend, SessionOptions, TensorData } from './backend.js';

class OrtNodeSession implements GraphSession {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: string,
  ) {}

  get inputNames() {
    return this.session.inputNames;
  }

  get outputNames() {
    return this.session.outputNames;
  }

  async run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', t.data, t.dims);
    const results = await this.session.run(tensors);
    const out: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(results)) {
      out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
      t.dispose();
    }
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** onnxruntime-node. The provider list is always explicit (DESIGN.md: no implicit backend). */
export const ortNodeBackend: RuntimeBackend = {
  name: 'onnxruntime-node',
  async createSession(model: Uint8Array, options: SessionOptions = {}): Promise<GraphSession> {
    const device = options.device ?? 'cpu';
    if (device !== 'cpu') {
      throw new VaekitError('backend-unavailable', `'device' must be 'cpu' for now; found ${JSON.stringify(device)}`);
    }
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: options.graphOptimization ?? 'all',
        intraOpNumThreads: options.threads ?? 0,
      });
      return new OrtNodeSession(session, 'cpu');
    } catch (cause) {
      throw new VaekitError('invalid-data', `onnxruntime-node could not load the graph: ${(cause as Error).message}`, { cause });
    }
  },
};
