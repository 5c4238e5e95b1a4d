import { VaekitError, describeValue } from '../errors.js';
import type { FixedBatch } from '../manifest/graph-batch.js';
import type { InputLayout, VaeManifest } from '../manifest/schema.js';
import type { ExecutionProvider, GraphSession, RuntimeBackend, SessionOptions } from '../runtime/backend.js';
import { getDefaultRuntime } from '../runtime/registry.js';
import { connectRemote, type RemoteOptions } from '../runtime/remote.js';
import { DEFAULT_SEED, fillStandardNormal, reparameterize, samplePrior } from '../sampler/index.js';
import { checkOffset, checkSeed, checkStream } from '../sampler/validate.js';
import {
  DEFAULT_SCORING_BATCH, MAX_IMPORTANCE_SAMPLES, MAX_SCORING_BATCH,
  checkCallback, checkCount, checkFiniteNumbers, checkOptionsObject, checkTemperature, maxResultRows, resultLimitReason,
} from './arguments.js';
import { anomaly, type AnomalyOptions, type AnomalyResult } from './anomaly.js';
import { conditionRows, type ConditionInput } from './conditions.js';
import { GraphRunner } from './graph-runner.js';
import { toBatch, type ExamplesInput } from './inputs.js';
import { cornerGrid, lerp, slerp, traverseLatent } from './latent.js';
import { LikelihoodScorer } from './likelihood-scorer.js';
import { checkReadModelOptions, checkVaeOptions, openSessions, readModel, type ReadModelOptions } from './load.js';
import type { ModelSource } from './model-source.js';
import { elboTerms, importanceSampled, type ScoreContext, type ScoreStream } from './scoring.js';
import type { DecodeResult, ElboResult, EncodeResult, LatentsAndDecoded, ScoreResult } from './results.js';
import { product, type VaeTensor } from './tensor.js';
import { warnOnce } from './warn-once.js';

export type { DecodeResult, ElboResult, EncodeResult, LatentsAndDecoded, ScoreResult } from './results.js';

/**
 * Options of `Vae.load`: how the model is read (`onProgress`, `signal`, `fetch`, `cache`), the
 * session options (`device`, `strict`, `threads`, `graphOptimization`, `onWarning`, `spinning`)
 * and the Vae's own, each with its default below.
 *
 * @example
 * ```ts
 * import { Vae, VaekitError } from 'vaekit';
 * const controller = new AbortController();
 * const vae = await Vae.load('models/mnist-mlp', {
 *   device: 'cpu',
 *   signal: controller.signal,
 *   onProgress: ({ file, loaded, total }) => console.log(`${file}: ${loaded}/${total}`),
 * });
 * vae.latentDim; // 20
 * await vae.dispose();
 * controller.abort();
 * const late = await Vae.load('models/mnist-mlp', { signal: controller.signal }).catch((e) => e);
 * late instanceof VaekitError && late.code; // "aborted"
 * ```
 */
export interface LoadOptions extends SessionOptions, ReadModelOptions {
  /** The ONNX Runtime adapter; default: the one the package entry registered (Node or browser). */
  runtime?: RuntimeBackend;
  /** Inputs outside the manifest's value range: `warn` (default), `refuse` (throws `out-of-range`) or `off`. */
  rangeCheck?: 'warn' | 'refuse' | 'off';
  /** Rows per ONNX Runtime call for large inputs; default 256. */
  batchSize?: number;
}

/** Options of `Vae.connect`: the server's (RemoteOptions) and the Vae's own; `runtime` runs only the likelihood scorer. */
export interface ConnectOptions extends RemoteOptions, Pick<LoadOptions, 'runtime' | 'rangeCheck' | 'batchSize' | 'onWarning'> {}

/** What `vae.info` reports about how the model's graphs are run. */
export interface VaeInfo {
  /** input.layout: results of an image model are [N, …input.shape], e.g. [N, C, H, W] for `chw`. */
  layout: InputLayout;
  /** Rows per ONNX Runtime call each graph fixes (null: any number, up to `batchSize`). */
  fixedBatch: FixedBatch;
  /** The decoder outputs only logits; `mean` is sigmoid(logits). */
  derivedMean: boolean;
}

/** Where ε comes from: normal number offset + i of (seed, stream) of the shared sampler. */
export interface RandomOptions {
  /** Default 0: the same seed gives the same output in every runtime. */
  seed?: number;
  stream?: number;
  offset?: number;
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
  /** Calls running now: dispose() waits for them before it releases the sessions. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private released: Promise<void> | null = null;
  private readonly runner: GraphRunner;

  private constructor(
    readonly manifest: VaeManifest,
    private readonly encoder: GraphSession,
    private readonly decoder: GraphSession,
    private readonly scorer: LikelihoodScorer,
    private readonly options: Required<Pick<LoadOptions, 'rangeCheck' | 'batchSize'>> & { onWarning: (m: string) => void; fixedBatch: FixedBatch },
  ) {
    this.runner = new GraphRunner({ manifest, encoder, decoder, batchSize: options.batchSize, fixedBatch: options.fixedBatch });
  }

  /**
   * Loads a model: validates the manifest, checks each graph's SHA-256, then creates the ONNX
   * Runtime sessions on the requested device (falling back to cpu/wasm with a warning unless
   * `strict`). Nothing is fetched after this call returns. See LoadOptions for progress, abort,
   * a custom fetch and the browser cache.
   */
  static async load(source: ModelSource, options: LoadOptions = {}): Promise<Vae> {
    const runtime = options.runtime ?? getDefaultRuntime();
    const own = checkVaeOptions(options);
    const reading = checkReadModelOptions(options);
    const model = await readModel(source, runtime, reading, own.onWarning);
    // Messages carry their 'vaekit: ' prefix; a fallback warning is passed on once per load.
    const { onProgress: _p, signal: _s, fetch: _f, cache: _c, ...session } = options;
    const { encoder, decoder, scorer } = await openSessions(runtime, model, { ...session, onWarning: warnOnce(own.onWarning) }, reading.signal);
    return new Vae(model.manifest, encoder, decoder, scorer, { ...own, fixedBatch: model.fixedBatch });
  }

  /**
   * A Vae whose encoder and decoder run on an Open Inference Protocol server (`vaekit serve`,
   * Triton, KServe) over HTTP: every method as with `Vae.load`, the same numbers for the same
   * seed. RemoteOptions (src/runtime/remote.ts) has the example, retries, timeouts and errors.
   */
  static async connect(url: string | URL, options: ConnectOptions): Promise<Vae> {
    const runtime = options?.runtime ?? getDefaultRuntime();
    const own = checkVaeOptions(options ?? {});
    const remote = await connectRemote(url, options);
    const scorer = LikelihoodScorer.deferred(runtime, remote.manifest.likelihood, Object.keys(remote.manifest.graphs.decoder.outputs), {});
    return new Vae(remote.manifest, remote.encoder, remote.decoder, scorer, { ...own, fixedBatch: remote.fixedBatch });
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
  get provider(): { encoder: ExecutionProvider; decoder: ExecutionProvider } {
    return { encoder: this.encoder.provider, decoder: this.decoder.provider };
  }

  /**
   * How the graphs are run. `fixedBatch`: the batch size each graph's inputs fix (an export without
   * dynamic axes), or null; such a graph gets every request in chunks of exactly that many rows, the
   * last padded with zero rows, so a batch-1 graph costs one ONNX Runtime call per row (bench/fixed-batch.ts).
   * `derivedMean`: the decoder outputs only logits, and `mean` is sigmoid(logits), computed in JavaScript.
   */
  get info(): VaeInfo {
    return { layout: this.manifest.input.layout, fixedBatch: { ...this.options.fixedBatch }, derivedMean: this.runner.derivesMean };
  }

  /** μ and logvar of q(z|x); with `sample: true` also z drawn with the shared sampler. */
  async encode(x: ExamplesInput, options: RandomOptions & { c?: ConditionInput; sample?: boolean; temperature?: number } = {}): Promise<EncodeResult> {
    return this.track('encode', () => this.encodeExamples(x, checkOptionsObject(options)));
  }

  /**
   * p(x|z): the decoder's mean (and logits or logvar_x), shaped [N, …input shape]. `meanOnly`
   * computes and returns just the mean (faster for large batches). Each result is held in memory:
   * at most ⌊2^28 / features⌋ rows of z (342 392 for 28×28×1 images), else `invalid-argument`.
   */
  async decode(z: ExamplesInput, options: { c?: ConditionInput; meanOnly?: boolean } = {}): Promise<DecodeResult> {
    return this.track('decode', async () => {
      const o = checkOptionsObject(options);
      const latents = toBatch(z, [this.latentDim], 'z');
      const n = latents.shape[0]!;
      if (n > this.maxRows) {
        throw new VaekitError('invalid-argument', `'z' must hold at most ${this.maxRows} latent vectors (${resultLimitReason(this.rowFloats)}); found ${n}`);
      }
      return this.runner.decodeRows(latents.data, conditionRows(this.manifest, o.c, n), n, o.meanOnly ? ['mean'] : undefined);
    });
  }

  /** n draws from the prior, z = τ·ε, decoded; n ≤ ⌊2^28 / features⌋ (342 392 for 28×28×1). */
  async sample(n: number, options: RandomOptions & { temperature?: number; c?: ConditionInput } = {}): Promise<LatentsAndDecoded> {
    return this.track('sample', async () => {
      const o = checkOptionsObject(options);
      this.resultCount(n, 'n');
      const z = samplePrior(n, this.latentDim, { ...this.random(o, n * this.latentDim), temperature: checkTemperature(o.temperature) });
      return this.decodeLatents(z, n, o.c);
    });
  }

  /** The decoder's mean at z = μ(x) (or at a sampled z with `sample: true`). */
  async reconstruct(x: ExamplesInput, options: RandomOptions & { c?: ConditionInput; sample?: boolean } = {}): Promise<VaeTensor> {
    return this.track('reconstruct', async () => {
      const o = checkOptionsObject(options);
      const encoded = await this.encodeExamples(x, o);
      const z = o.sample ? encoded.z! : encoded.mu;
      return (await this.runner.decodeRows(z.data, conditionRows(this.manifest, o.c, z.shape[0]!), z.shape[0]!)).mean;
    });
  }

  /** `steps` latents from a to b (lerp, or slerp for Gaussian latents), decoded; steps ≤ ⌊2^28 / features⌋. */
  async interpolate(a: ArrayLike<number>, b: ArrayLike<number>, steps: number, options: { method?: 'lerp' | 'slerp'; c?: ConditionInput } = {}): Promise<LatentsAndDecoded> {
    return this.track('interpolate', async () => {
      const o = checkOptionsObject(options);
      this.resultCount(steps, 'steps');
      const method = o.method ?? 'lerp';
      if (method !== 'lerp' && method !== 'slerp') throw new VaekitError('invalid-argument', `'method' must be lerp or slerp; found ${JSON.stringify(method)}`);
      const z = (method === 'lerp' ? lerp : slerp)(this.latent(a, 'a'), this.latent(b, 'b'), steps);
      return this.decodeLatents(z, steps, o.c);
    });
  }

  /**
   * A rows × cols grid blending four corner latents [top-left, top-right, bottom-left, bottom-right],
   * decoded; rows × cols ≤ ⌊2^28 / features⌋.
   */
  async grid(corners: [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>], rows: number, cols: number, options: { c?: ConditionInput } = {}): Promise<LatentsAndDecoded> {
    return this.track('grid', async () => {
      const o = checkOptionsObject(options);
      if (!Array.isArray(corners) || corners.length !== 4) throw new VaekitError('invalid-argument', `'corners' must be 4 latent vectors; found ${Array.isArray(corners) ? corners.length : typeof corners}`);
      this.resultCount(rows, 'rows');
      this.resultCount(cols, 'cols');
      if (rows * cols > this.maxRows) {
        throw new VaekitError('invalid-argument', `'rows × cols' must be at most ${this.maxRows} (${resultLimitReason(this.rowFloats)}); found ${rows} × ${cols} = ${rows * cols}`);
      }
      const z = cornerGrid(corners.map((c, i) => this.latent(c, `corners[${i}]`)) as [Float32Array, Float32Array, Float32Array, Float32Array], rows, cols);
      return this.decodeLatents(z, rows * cols, o.c);
    });
  }

  /** Copies of z with dimension `dim` set to each of `values` (finite; at most ⌊2^28 / features⌋), decoded. */
  async traverse(z: ArrayLike<number>, dim: number, values: ArrayLike<number>, options: { c?: ConditionInput } = {}): Promise<LatentsAndDecoded> {
    return this.track('traverse', async () => {
      const o = checkOptionsObject(options);
      checkFiniteNumbers(values, 'values', this.maxRows, resultLimitReason(this.rowFloats));
      const latents = traverseLatent(this.latent(z, 'z'), dim, values);
      return this.decodeLatents(latents, values.length, o.c);
    });
  }

  /**
   * Importance-sampled log p(x) per example with K samples (docs/math.md), log-sum-exp with the max
   * subtracted. K = 1 is the ELBO estimate; larger K is tighter; k ≤ 1 000 000. Memory depends on
   * `batchSize` (latent samples decoded per call, default 2048, at most 65 536), not on k or the
   * number of examples. `onProgress(done, total)` runs after each chunk: (example, sample) pairs
   * scored so far, of n·k.
   */
  async logLikelihood(x: ExamplesInput, options: RandomOptions & { k?: number; batchSize?: number; c?: ConditionInput; onProgress?: (done: number, total: number) => void } = {}): Promise<ScoreResult> {
    return this.track('logLikelihood', async () => {
      const o = checkOptionsObject(options);
      const k = checkCount(o.k ?? 1000, 'k', MAX_IMPORTANCE_SAMPLES, 'importance samples per example; time grows with k');
      const rows = checkCount(o.batchSize ?? DEFAULT_SCORING_BATCH, 'batchSize', MAX_SCORING_BATCH, 'latent samples decoded per call');
      checkCallback(o.onProgress, 'onProgress');
      const batch = this.examples(x, 'x');
      const n = batch.shape[0]!;
      const c = conditionRows(this.manifest, o.c, n);
      const stream = this.random(o, n * k * this.latentDim);
      const perExample = await importanceSampled(this.scoreContext(), batch.data, c, n, { k, rows, stream, onProgress: o.onProgress });
      return { perExample, mean: perExample.reduce((a, b) => a + b, 0) / n };
    });
  }

  /** One-sample ELBO per example: E_q log p(x|z) − KL(q(z|x) ‖ p(z)), nats (higher is better); memory does not grow with n. */
  async elbo(x: ExamplesInput, options: RandomOptions & { c?: ConditionInput } = {}): Promise<ElboResult> {
    return this.track('elbo', async () => {
      const o = checkOptionsObject(options);
      const batch = this.examples(x, 'x');
      const n = batch.shape[0]!;
      const c = conditionRows(this.manifest, o.c, n);
      const { recon, kl } = await elboTerms(this.scoreContext(), batch.data, c, n, DEFAULT_SCORING_BATCH, this.random(o, n * this.latentDim));
      const perExample = recon.map((r, i) => r - kl[i]!);
      return { perExample, mean: perExample.reduce((a, b) => a + b, 0) / n, logLikelihood: recon, kl };
    });
  }

  /** Per example: anomaly score, its percentile against the manifest's calibration, and a flag (AnomalyOptions has the options and an example). */
  async anomaly(x: ExamplesInput, options: AnomalyOptions = {}): Promise<AnomalyResult> {
    return this.track('anomaly', () => anomaly(this, x, options));
  }

  /**
   * Waits for the calls already running (they finish normally, even multi-chunk ones), then
   * releases the ONNX Runtime sessions. Calls made after dispose() throw `disposed`; calling it
   * again returns the same promise.
   */
  dispose(): Promise<void> {
    this.disposed = true;
    this.released ??= Promise.allSettled([...this.inFlight]).then(async () => {
      await Promise.all([this.encoder.release(), this.decoder.release(), this.scorer.release()]);
    });
    return this.released;
  }

  // — internals —

  /** Runs a public call, tracked so that dispose() can wait for it. */
  private async track<T>(method: string, work: () => Promise<T>): Promise<T> {
    this.checkAlive(method);
    const call = work();
    this.inFlight.add(call);
    try {
      return await call;
    } finally {
      this.inFlight.delete(call);
    }
  }

  private async encodeExamples(x: ExamplesInput, options: RandomOptions & { c?: ConditionInput; sample?: boolean; temperature?: number }): Promise<EncodeResult> {
    const temperature = checkTemperature(options.temperature);
    const batch = this.examples(x, 'x');
    const n = batch.shape[0]!;
    const c = conditionRows(this.manifest, options.c, n);
    const { mu, logvar } = await this.runner.encode(batch.data, c, n);
    const J = this.latentDim;
    const result: EncodeResult = { mu: { data: mu, shape: [n, J] }, logvar: { data: logvar, shape: [n, J] } };
    if (options.sample) {
      const eps = fillStandardNormal(new Float32Array(n * J), this.random(options, n * J));
      result.z = { data: reparameterize(mu, logvar, eps, { temperature }), shape: [n, J] };
    }
    return result;
  }

  /** Floats per row of the largest result (a decoded example or a latent). */
  private get rowFloats(): number {
    return Math.max(product(this.inputShape), this.latentDim);
  }

  /** Most rows a result may have (MAX_RESULT_FLOATS). */
  private get maxRows(): number {
    return maxResultRows(this.rowFloats);
  }

  private resultCount(value: unknown, name: string): number {
    return checkCount(value, name, this.maxRows, resultLimitReason(this.rowFloats));
  }

  private scoreContext(): ScoreContext {
    return {
      latentDim: this.latentDim,
      features: product(this.inputShape),
      classes: this.manifest.condition?.classes ?? 0,
      scorer: this.scorer,
      encode: (x, c, n) => this.runner.encode(x, c, n),
      decode: async (z, c, n) => {
        // One ONNX Runtime call per scoring chunk (≤ batchSize rows): fewer, larger GEMMs.
        const out = await this.runner.decode(z, c, n, this.scorer.needs, Math.max(this.options.batchSize, n));
        return Object.fromEntries(this.scorer.needs.map((name) => [name, out[name]!.data]));
      },
    };
  }

  private checkAlive(method: string): void {
    if (this.disposed) throw new VaekitError('disposed', `'${method}' was called on a disposed Vae (model '${this.manifest.name}'); load it again`);
  }

  /** Where ε starts, checked up front for all `count` normals, so a long job cannot fail halfway. */
  private random(options: RandomOptions, count: number): ScoreStream {
    return { seed: checkSeed(options.seed ?? DEFAULT_SEED), stream: checkStream(options.stream ?? 0), offset: checkOffset(options.offset ?? 0, count) };
  }

  private latent(value: ArrayLike<number>, name: string): Float32Array {
    if (!Array.isArray(value) && !ArrayBuffer.isView(value)) {
      throw new VaekitError('invalid-argument', `'${name}' must be one latent vector of ${this.latentDim} numbers (Float32Array or number array); found ${describeValue(value)}`);
    }
    const batch = toBatch(value instanceof Float32Array ? value : Array.from(value as ArrayLike<number>), [this.latentDim], name);
    if (batch.shape[0] !== 1) throw new VaekitError('shape-mismatch', `'${name}' must be one latent vector of ${this.latentDim} values; found ${batch.data.length} values`);
    return batch.data;
  }

  private examples(x: ExamplesInput, name: string): VaeTensor {
    const batch = toBatch(x, this.inputShape, name, this.manifest.input.layout);
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
        this.options.onWarning(`vaekit: ${message}`);
      }
    }
    return batch;
  }

  private async decodeLatents(z: Float32Array, n: number, c: ConditionInput | undefined): Promise<LatentsAndDecoded> {
    return { z: { data: z, shape: [n, this.latentDim] }, ...(await this.runner.decodeRows(z, conditionRows(this.manifest, c, n), n)) };
  }
}
