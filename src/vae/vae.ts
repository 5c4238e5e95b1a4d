import { VaekitError } from '../errors.js';
import { parseManifest, verifyGraphIntegrity } from '../manifest/index.js';
import type { VaeManifest } from '../manifest/schema.js';
import type { GraphSession, RuntimeBackend, SessionOptions, TensorData } from '../runtime/backend.js';
import { getDefaultRuntime } from '../runtime/registry.js';
import { fillStandardNormal, reparameterize, samplePrior } from '../sampler/index.js';
import { runBatched } from './batched-run.js';
import { conditionRows, type ConditionInput } from './conditions.js';
import { toBatch, type ExamplesInput } from './inputs.js';
import { cornerGrid, lerp, slerp, traverseLatent } from './latent.js';
import { LikelihoodScorer } from './likelihood-scorer.js';
import { openModelSource, type ModelSource } from './model-source.js';
import { importanceSampled, klPerExample } from './scoring.js';
import { product, type VaeTensor } from './tensor.js';

export interface LoadOptions extends SessionOptions {
  /** The ONNX Runtime adapter; default: the one the package entry registered (Node or browser). */
  runtime?: RuntimeBackend;
  /** Inputs outside the manifest's value range: `warn` (default), `refuse` (throws `out-of-range`) or `off`. */
  rangeCheck?: 'warn' | 'refuse' | 'off';
  /** Rows per ONNX Runtime call for large inputs; default 256. */
  batchSize?: number;
}

/** Where ε comes from: normal number offset + i of (seed, stream) of the shared sampler. */
export interface RandomOptions {
  /** Default 0: the same seed gives the same output in every runtime. */
  seed?: number;
  stream?: number;
  offset?: number;
}

export interface EncodeResult {
  mu: VaeTensor;
  logvar: VaeTensor;
  /** z = μ + exp(½·logvar)·(τ·ε), with `sample: true`. */
  z?: VaeTensor;
}

export interface DecodeResult {
  /** E[x|z]: sigmoid probabilities (bernoulli) or the Gaussian mean, shaped like the input. */
  mean: VaeTensor;
  logits?: VaeTensor;
  logvarX?: VaeTensor;
}

export interface LatentsAndDecoded extends DecodeResult {
  z: VaeTensor;
}

export interface ScoreResult {
  /** One value per example, nats. */
  perExample: Float64Array;
  /** Their mean. */
  mean: number;
}

export interface ElboResult extends ScoreResult {
  /** E_q log p(x|z) per example (one ε draw). */
  logLikelihood: Float64Array;
  kl: Float64Array;
}

/**
 * A trained VAE: an encoder and a decoder ONNX graph described by a vaekit.json manifest, run by
 * ONNX Runtime; every random draw comes from vaekit's seeded sampler.
 *
 * @example
 * ```ts
 * import { Vae } from 'vaekit';
 * const vae = await Vae.load('models/mnist-mlp');                 // or a URL in the browser
 * const { mean } = await vae.sample(16, { seed: 42, temperature: 0.8 });
 * const { mu } = await vae.encode(mean);                          // mean.shape = [16, 28, 28, 1]
 * const nll = await vae.logLikelihood(mean, { k: 100 });
 * await vae.dispose();
 * ```
 */
export class Vae {
  private disposed = false;

  private constructor(
    readonly manifest: VaeManifest,
    private readonly encoder: GraphSession,
    private readonly decoder: GraphSession,
    /** The decoder again, without spinning threads: it runs beside the scorer in long jobs. */
    private readonly scoringDecoder: GraphSession,
    private readonly scorer: LikelihoodScorer,
    private readonly options: Required<Pick<LoadOptions, 'rangeCheck' | 'batchSize'>> & { onWarning: (m: string) => void },
  ) {}

  /**
   * Loads a model: validates the manifest, checks each graph's SHA-256, then creates the ONNX
   * Runtime sessions on the requested device (falling back to cpu/wasm with a warning unless
   * `strict`). Nothing is fetched after this call returns.
   */
  static async load(source: ModelSource, options: LoadOptions = {}): Promise<Vae> {
    const runtime = options.runtime ?? getDefaultRuntime();
    const batchSize = options.batchSize ?? 256;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new VaekitError('invalid-argument', `'batchSize' must be a positive integer; found ${batchSize}`);
    }
    const rangeCheck = options.rangeCheck ?? 'warn';
    if (!['warn', 'refuse', 'off'].includes(rangeCheck)) {
      throw new VaekitError('invalid-argument', `'rangeCheck' must be warn, refuse or off; found ${JSON.stringify(rangeCheck)}`);
    }
    const files = await openModelSource(source, runtime);
    const manifest = parseManifest(files.manifest);
    const bytes = { encoder: await files.graph(manifest.graphs.encoder.file), decoder: await files.graph(manifest.graphs.decoder.file) };
    await verifyGraphIntegrity(manifest, 'encoder', bytes.encoder);
    await verifyGraphIntegrity(manifest, 'decoder', bytes.decoder);
    const onWarning = options.onWarning ?? ((message: string) => console.warn(`vaekit: ${message}`));
    const sessionOptions: SessionOptions = { ...options, onWarning };
    const encoder = await runtime.createSession(bytes.encoder, sessionOptions);
    const decoder = await runtime.createSession(bytes.decoder, sessionOptions);
    for (const [role, session] of [['encoder', encoder], ['decoder', decoder]] as const) {
      const graph = manifest.graphs[role];
      const missing = [
        ...Object.values(graph.inputs).filter((n) => !session.inputNames.includes(n)),
        ...Object.values(graph.outputs).filter((n) => !session.outputNames.includes(n)),
      ];
      if (missing.length) {
        await encoder.release();
        await decoder.release();
        throw new VaekitError(
          'invalid-manifest',
          `graphs.${role} maps names the graph does not have: ${missing.join(', ')}; ${graph.file} has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
        );
      }
    }
    const scoringDecoder = await runtime.createSession(bytes.decoder, { ...sessionOptions, spinning: false });
    const scorer = await LikelihoodScorer.create(runtime, manifest.likelihood, Object.keys(manifest.graphs.decoder.outputs), sessionOptions);
    return new Vae(manifest, encoder, decoder, scoringDecoder, scorer, { rangeCheck, batchSize, onWarning });
  }

  /** Latent dimensions J. */
  get latentDim(): number {
    return this.manifest.latentDim;
  }

  /** Shape of one example, e.g. [28, 28, 1]. */
  get inputShape(): readonly number[] {
    return this.manifest.input.shape;
  }

  /** Execution providers that run the graphs (after any fallback). */
  get provider(): { encoder: string; decoder: string } {
    return { encoder: this.encoder.provider, decoder: this.decoder.provider };
  }

  /** μ and logvar of q(z|x); with `sample: true` also z drawn with the shared sampler. */
  async encode(x: ExamplesInput, options: RandomOptions & { c?: ConditionInput; sample?: boolean; temperature?: number } = {}): Promise<EncodeResult> {
    this.checkAlive('encode');
    const batch = this.examples(x, 'x');
    const n = batch.shape[0]!;
    const c = conditionRows(this.manifest, options.c, n);
    const { mu, logvar } = await this.runEncoder(batch.data, c, n);
    const J = this.latentDim;
    const result: EncodeResult = { mu: { data: mu, shape: [n, J] }, logvar: { data: logvar, shape: [n, J] } };
    if (options.sample) {
      const eps = fillStandardNormal(new Float32Array(n * J), this.random(options));
      result.z = { data: reparameterize(mu, logvar, eps, { temperature: options.temperature ?? 1 }), shape: [n, J] };
    }
    return result;
  }

  /**
   * p(x|z): the decoder's mean (and logits or logvar_x), shaped [N, …input shape]. `meanOnly`
   * computes and returns just the mean (faster for large batches).
   */
  async decode(z: ExamplesInput, options: { c?: ConditionInput; meanOnly?: boolean } = {}): Promise<DecodeResult> {
    this.checkAlive('decode');
    const latents = toBatch(z, [this.latentDim], 'z');
    const n = latents.shape[0]!;
    return this.decodeRows(latents.data, conditionRows(this.manifest, options.c, n), n, options.meanOnly ? ['mean'] : undefined);
  }

  /** n draws from the prior, z = τ·ε, decoded. */
  async sample(n: number, options: RandomOptions & { temperature?: number; c?: ConditionInput } = {}): Promise<LatentsAndDecoded> {
    this.checkAlive('sample');
    if (!Number.isInteger(n) || n < 1) throw new VaekitError('invalid-argument', `'n' must be a positive integer; found ${n}`);
    const z = samplePrior(n, this.latentDim, { ...this.random(options), temperature: options.temperature ?? 1 });
    return { z: { data: z, shape: [n, this.latentDim] }, ...(await this.decodeRows(z, conditionRows(this.manifest, options.c, n), n)) };
  }

  /** The decoder's mean at z = μ(x) (or at a sampled z with `sample: true`). */
  async reconstruct(x: ExamplesInput, options: RandomOptions & { c?: ConditionInput; sample?: boolean } = {}): Promise<VaeTensor> {
    const encoded = await this.encode(x, options);
    const z = options.sample ? encoded.z! : encoded.mu;
    return (await this.decodeRows(z.data, conditionRows(this.manifest, options.c, z.shape[0]!), z.shape[0]!)).mean;
  }

  /** `steps` latents from a to b (lerp, or slerp for Gaussian latents), decoded. */
  async interpolate(a: ArrayLike<number>, b: ArrayLike<number>, steps: number, options: { method?: 'lerp' | 'slerp'; c?: ConditionInput } = {}): Promise<LatentsAndDecoded> {
    this.checkAlive('interpolate');
    if (!Number.isInteger(steps) || steps < 1) throw new VaekitError('invalid-argument', `'steps' must be a positive integer; found ${steps}`);
    const method = options.method ?? 'lerp';
    if (method !== 'lerp' && method !== 'slerp') throw new VaekitError('invalid-argument', `'method' must be lerp or slerp; found ${JSON.stringify(method)}`);
    const z = (method === 'lerp' ? lerp : slerp)(this.latent(a, 'a'), this.latent(b, 'b'), steps);
    return this.decodeLatents(z, steps, options.c);
  }

  /** A rows × cols grid blending four corner latents [top-left, top-right, bottom-left, bottom-right], decoded. */
  async grid(corners: [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>], rows: number, cols: number, options: { c?: ConditionInput } = {}): Promise<LatentsAndDecoded> {
    this.checkAlive('grid');
    if (!Array.isArray(corners) || corners.length !== 4) throw new VaekitError('invalid-argument', `'corners' must be 4 latent vectors; found ${Array.isArray(corners) ? corners.length : typeof corners}`);
    for (const [name, v] of [['rows', rows], ['cols', cols]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new VaekitError('invalid-argument', `'${name}' must be a positive integer; found ${v}`);
    }
    const z = cornerGrid(corners.map((c, i) => this.latent(c, `corners[${i}]`)) as [Float32Array, Float32Array, Float32Array, Float32Array], rows, cols);
    return this.decodeLatents(z, rows * cols, options.c);
  }

  /** Copies of z with dimension `dim` set to each of `values`, decoded: what one latent unit does. */
  async traverse(z: ArrayLike<number>, dim: number, values: ArrayLike<number>, options: { c?: ConditionInput } = {}): Promise<LatentsAndDecoded> {
    this.checkAlive('traverse');
    const latents = traverseLatent(this.latent(z, 'z'), dim, values);
    return this.decodeLatents(latents, values.length, options.c);
  }

  /**
   * Importance-sampled log p(x) per example with K samples (VAE.md), log-sum-exp with the max
   * subtracted. K = 1 is the ELBO estimate; larger K is tighter. `batchSize` = examples per chunk.
   */
  async logLikelihood(x: ExamplesInput, options: RandomOptions & { k?: number; batchSize?: number; c?: ConditionInput; onProgress?: (done: number, total: number) => void } = {}): Promise<ScoreResult> {
    this.checkAlive('logLikelihood');
    const k = options.k ?? 1000;
    if (!Number.isInteger(k) || k < 1) throw new VaekitError('invalid-argument', `'k' must be a positive integer; found ${k}`);
    const batch = this.examples(x, 'x');
    const n = batch.shape[0]!;
    const c = conditionRows(this.manifest, options.c, n);
    const { mu, logvar } = await this.runEncoder(batch.data, c, n);
    const perChunk = options.batchSize ?? Math.max(1, Math.floor(8192 / k));
    const D = product(this.inputShape);
    const J = this.latentDim;
    const classes = this.manifest.condition?.classes ?? 0;
    const out = new Float64Array(n);
    for (let start = 0; start < n; start += perChunk) {
      const m = Math.min(perChunk, n - start);
      const values = await importanceSampled(
        this.scoreContext(),
        batch.data.subarray(start * D, (start + m) * D),
        mu.subarray(start * J, (start + m) * J),
        logvar.subarray(start * J, (start + m) * J),
        c ? c.subarray(start * classes, (start + m) * classes) : null,
        m,
        k,
        this.random(options),
        start,
      );
      out.set(values, start);
      options.onProgress?.(start + m, n);
    }
    return { perExample: out, mean: out.reduce((a, b) => a + b, 0) / n };
  }

  /** One-sample ELBO per example: E_q log p(x|z) − KL(q(z|x) ‖ p(z)), nats (higher is better). */
  async elbo(x: ExamplesInput, options: RandomOptions & { c?: ConditionInput } = {}): Promise<ElboResult> {
    this.checkAlive('elbo');
    const batch = this.examples(x, 'x');
    const n = batch.shape[0]!;
    const c = conditionRows(this.manifest, options.c, n);
    const { mu, logvar } = await this.runEncoder(batch.data, c, n);
    // The closed-form KL (VAE.md) rather than a one-sample log p(z) − log q(z|x): lower variance.
    const kl = klPerExample(mu, logvar, n, this.latentDim);
    const recon = await this.reconstructionTerm(batch.data, mu, logvar, c, n, options);
    const perExample = recon.map((r, i) => r - kl[i]!);
    return { perExample, mean: perExample.reduce((a, b) => a + b, 0) / n, logLikelihood: recon, kl };
  }

  /** Releases the ONNX Runtime sessions; any later call throws `disposed`. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.encoder.release(), this.decoder.release(), this.scoringDecoder.release(), this.scorer.release()]);
  }

  // — internals —

  private async reconstructionTerm(x: Float32Array, mu: Float32Array, logvar: Float32Array, c: Float32Array | null, n: number, options: RandomOptions): Promise<Float64Array> {
    const J = this.latentDim;
    const eps = fillStandardNormal(new Float32Array(n * J), this.random(options));
    const z = reparameterize(mu, logvar, eps);
    const decoded = await this.scoreContext().decode(z, c, n);
    return this.scorer.score(x, decoded, n, 1);
  }

  private scoreContext() {
    return {
      latentDim: this.latentDim,
      scorer: this.scorer,
      decode: async (z: Float32Array, c: Float32Array | null, n: number) => {
        // One ONNX Runtime call per scoring chunk (≤ 8192 rows): fewer, larger GEMMs.
        const out = await this.runDecoder(z, c, n, Math.max(this.options.batchSize, n), this.scorer.needs, this.scoringDecoder);
        return Object.fromEntries(this.scorer.needs.map((name) => [name, out[name]!.data]));
      },
    };
  }

  private checkAlive(method: string): void {
    if (this.disposed) throw new VaekitError('disposed', `'${method}' was called on a disposed Vae (model '${this.manifest.name}'); load it again`);
  }

  private random(options: RandomOptions) {
    return { seed: options.seed ?? 0, stream: options.stream ?? 0, offset: options.offset ?? 0 };
  }

  private latent(value: ArrayLike<number>, name: string): Float32Array {
    const batch = toBatch(value instanceof Float32Array ? value : Array.from(value), [this.latentDim], name);
    if (batch.shape[0] !== 1) throw new VaekitError('shape-mismatch', `'${name}' must be one latent vector of ${this.latentDim} values; found ${batch.data.length} values`);
    return batch.data;
  }

  private examples(x: ExamplesInput, name: string): VaeTensor {
    const batch = toBatch(x, this.inputShape, name);
    if (this.options.rangeCheck !== 'off') {
      const [lo, hi] = this.manifest.input.range;
      let min = Infinity, max = -Infinity;
      for (const v of batch.data) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (min < lo - 1e-6 || max > hi + 1e-6) {
        const message = `'${name}' has values in [${min}, ${max}]; model '${this.manifest.name}' was trained on [${lo}, ${hi}]`;
        if (this.options.rangeCheck === 'refuse') throw new VaekitError('out-of-range', message);
        this.options.onWarning(message);
      }
    }
    return batch;
  }

  private async runEncoder(x: Float32Array, c: Float32Array | null, n: number) {
    const g = this.manifest.graphs.encoder;
    const inputs: Record<string, { data: Float32Array; rowShape: readonly number[] }> = { [g.inputs['x']!]: { data: x, rowShape: this.inputShape } };
    if (c) inputs[g.inputs['c']!] = { data: c, rowShape: [this.manifest.condition!.classes] };
    const out = await runBatched(this.encoder, inputs, n, this.options.batchSize);
    return { mu: out[g.outputs['mu']!]!.data, logvar: out[g.outputs['logvar']!]!.data };
  }

  /** Runs the decoder; `only` (contract names) limits the outputs computed. */
  private async runDecoder(
    z: Float32Array,
    c: Float32Array | null,
    n: number,
    batchSize = this.options.batchSize,
    only?: readonly string[],
    session = this.decoder,
  ): Promise<Record<string, TensorData>> {
    const g = this.manifest.graphs.decoder;
    const inputs: Record<string, { data: Float32Array; rowShape: readonly number[] }> = { [g.inputs['z']!]: { data: z, rowShape: [this.latentDim] } };
    if (c) inputs[g.inputs['c']!] = { data: c, rowShape: [this.manifest.condition!.classes] };
    const wanted = Object.entries(g.outputs).filter(([contract]) => !only || only.includes(contract));
    const out = await runBatched(session, inputs, n, batchSize, only ? wanted.map(([, graphName]) => graphName) : undefined);
    return Object.fromEntries(wanted.map(([contract, graphName]) => [contract, out[graphName]!]));
  }

  private async decodeRows(z: Float32Array, c: Float32Array | null, n: number, only?: string[]): Promise<DecodeResult> {
    const out = await this.runDecoder(z, c, n, this.options.batchSize, only);
    const shape = [n, ...this.inputShape];
    const result: DecodeResult = { mean: { data: out['mean']!.data, shape } };
    if (out['logits']) result.logits = { data: out['logits'].data, shape };
    if (out['logvar_x']) result.logvarX = { data: out['logvar_x'].data, shape };
    return result;
  }

  private async decodeLatents(z: Float32Array, n: number, c: ConditionInput | undefined): Promise<LatentsAndDecoded> {
    return { z: { data: z, shape: [n, this.latentDim] }, ...(await this.decodeRows(z, conditionRows(this.manifest, c, n), n)) };
  }
}
