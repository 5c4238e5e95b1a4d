/**
 * Runs a model's two graphs on rows of inputs: maps the contract's names to the graph's, fetches
 * only the outputs the manifest names (a Keras encoder's extra `z` output is never copied out nor
 * checked; ONNX Runtime still runs every node),
 * chunks to the batch size each graph fixes, and derives the bernoulli mean from logits when the
 * decoder outputs only logits.
 */
import type { FixedBatch } from '../manifest/graph-batch.js';
import type { VaeManifest } from '../manifest/schema.js';
import type { GraphSession, TensorData } from '../runtime/backend.js';
import { runBatched, type RowInput } from './batched-run.js';
import type { DecodeResult } from './results.js';
import { sigmoid } from './sigmoid.js';
import { product } from './tensor.js';

export interface GraphRunnerConfig {
  manifest: VaeManifest;
  encoder: GraphSession;
  decoder: GraphSession;
  /** Rows per call of a graph whose batch dimension is symbolic. */
  batchSize: number;
  fixedBatch: FixedBatch;
}

export class GraphRunner {
  constructor(private readonly config: GraphRunnerConfig) {}

  /** The decoder has `logits` but no `mean`: the mean is sigmoid(logits), computed here. */
  get derivesMean(): boolean {
    const outputs = this.config.manifest.graphs.decoder.outputs;
    return !outputs['mean'] && !!outputs['logits'];
  }

  /** μ and logvar of q(z|x) for n rows of x (and one-hot c). */
  async encode(x: Float32Array, c: Float32Array | null, n: number): Promise<{ mu: Float32Array; logvar: Float32Array }> {
    const { manifest, encoder, batchSize, fixedBatch } = this.config;
    const g = manifest.graphs.encoder;
    const latent = { values: manifest.latentDim, source: `latentDim ${manifest.latentDim}` };
    const names = [g.outputs['mu']!, g.outputs['logvar']!];
    const expected = { graph: g.file, rows: Object.fromEntries(names.map((name) => [name, latent])) };
    const out = await runBatched(encoder, this.feeds(g.inputs, 'x', x, manifest.input.shape, c), n, { batchSize, fixedBatch: fixedBatch.encoder, outputs: names, expected });
    return { mu: out[names[0]!]!.data, logvar: out[names[1]!]!.data };
  }

  /**
   * Decoder outputs by contract name for n latents; `only` (contract names) limits what is
   * computed. A requested `mean` of a logits-only decoder is sigmoid(logits).
   */
  async decode(z: Float32Array, c: Float32Array | null, n: number, only?: readonly string[], batchSize = this.config.batchSize): Promise<Record<string, TensorData>> {
    const { manifest, decoder, fixedBatch } = this.config;
    const g = manifest.graphs.decoder;
    const requested = only ?? [...Object.keys(g.outputs), ...(this.derivesMean ? ['mean'] : [])];
    const derive = this.derivesMean && requested.includes('mean');
    const fetched = Object.entries(g.outputs).filter(([contract]) => requested.includes(contract) || (derive && contract === 'logits'));
    const image = { values: product(manifest.input.shape), source: `input.shape [${manifest.input.shape.join(', ')}]` };
    const expected = { graph: g.file, rows: Object.fromEntries(fetched.map(([, name]) => [name, image])) };
    const inputs = this.feeds(g.inputs, 'z', z, [manifest.latentDim], c);
    const out = await runBatched(decoder, inputs, n, { batchSize, fixedBatch: fixedBatch.decoder, outputs: fetched.map(([, name]) => name), expected });
    const result: Record<string, TensorData> = Object.fromEntries(fetched.map(([contract, name]) => [contract, out[name]!]));
    if (derive) result['mean'] = { data: sigmoid(result['logits']!.data), dims: result['logits']!.dims };
    if (derive && !requested.includes('logits')) delete result['logits'];
    return result;
  }

  /** decode() as the Vae returns it: each output shaped [n, …input shape]. */
  async decodeRows(z: Float32Array, c: Float32Array | null, n: number, only?: readonly string[]): Promise<DecodeResult> {
    const out = await this.decode(z, c, n, only);
    const shape = [n, ...this.config.manifest.input.shape];
    const result: DecodeResult = { mean: { data: out['mean']!.data, shape } };
    if (out['logits']) result.logits = { data: out['logits'].data, shape };
    if (out['logvar_x']) result.logvarX = { data: out['logvar_x'].data, shape };
    return result;
  }

  private feeds(names: Record<string, string>, main: 'x' | 'z', data: Float32Array, rowShape: readonly number[], c: Float32Array | null): Record<string, RowInput> {
    const inputs: Record<string, RowInput> = { [names[main]!]: { data, rowShape } };
    if (c) inputs[names['c']!] = { data: c, rowShape: [this.config.manifest.condition!.classes] };
    return inputs;
  }
}
