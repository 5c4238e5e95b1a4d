import { VaekitError } from '../errors.js';
import type { GraphSession, TensorData } from './backend.js';
import type { ExecutionProvider } from './devices.js';
import { checkFeeds } from './providers.js';

/** The parts of an onnxruntime InferenceSession and Tensor this wrapper uses (node and web alike). */
interface OrtTensorLike {
  type: string;
  data: unknown;
  dims: readonly number[];
  dispose(): void;
}
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>, fetches?: string[]): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/**
 * `data`, or a copy of it when it lives in a SharedArrayBuffer: onnxruntime refuses those with a
 * bare "Invalid argument". The copy is one chunk of one call, never a whole input.
 */
function unshared(data: Float32Array): Float32Array {
  return typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer ? new Float32Array(data) : data;
}

/**
 * A GraphSession over an onnxruntime session: checks feeds, wraps Float32Arrays as float32
 * tensors (`makeTensor`, from the adapter's own onnxruntime package), returns plain arrays.
 */
export class OrtSession implements GraphSession {
  private released = false;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly backend: string,
    private readonly session: OrtSessionLike,
    readonly provider: ExecutionProvider,
    private readonly makeTensor: (data: Float32Array, dims: number[]) => unknown,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Record<string, TensorData>, outputs?: readonly string[]): Promise<Record<string, TensorData>> {
    if (this.released) throw new VaekitError('disposed', `run() called after release() of this ${this.backend} session`);
    checkFeeds(this.session.inputNames, feeds);
    const tensors: Record<string, unknown> = {};
    for (const [name, t] of Object.entries(feeds)) tensors[name] = this.makeTensor(unshared(t.data), t.dims);
    const running = outputs ? this.session.run(tensors, [...outputs]) : this.session.run(tensors);
    this.running.add(running);
    let results: Record<string, OrtTensorLike>;
    try {
      results = await running;
    } catch (cause) {
      // The feeds passed checkFeeds, so the graph itself refused them (e.g. a dimension the
      // manifest does not describe) or failed inside: say so with ONNX Runtime's own words.
      throw new VaekitError(
        'run-failed',
        `${this.backend} could not run the graph: ${(cause as Error).message} (if the graph and vaekit.json disagree on input.shape, latentDim or the batch dimension, fix the manifest or re-export the graph)`,
        { cause },
      );
    } finally {
      this.running.delete(running);
    }
    const out: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(results)) {
      if (t.type !== 'float32') {
        throw new VaekitError('dtype-mismatch', `graph output '${name}' must be float32; found ${t.type}`);
      }
      // CPU outputs (no preferredOutputLocation): the data is a JS array the tensor no longer needs.
      out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
      t.dispose();
    }
    return out;
  }

  /** Waits for the runs in progress (onnxruntime fails them otherwise), then releases the session. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await Promise.allSettled([...this.running]);
    await this.session.release();
  }
}
