import type { ManifestLikelihood } from '../manifest/schema.js';
import type { GraphSession, RuntimeBackend, SessionOptions } from '../runtime/backend.js';
import { LIKELIHOOD_GRAPHS } from './likelihood-graphs.generated.js';

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Decoder outputs the scorer reads, by contract name. */
export type DecoderOutputs = Record<string, Float32Array>;

/**
 * log p(x|z) summed over features for K decoder outputs per example, computed by a small ONNX
 * graph (export/likelihood-graphs.ts) in the same runtime: the per-pixel exp/log of a Bernoulli
 * is too slow in JavaScript for K = 1000.
 */
export class LikelihoodScorer {
  private session: Promise<GraphSession> | null = null;

  private constructor(
    private readonly open: () => Promise<GraphSession>,
    private readonly likelihood: ManifestLikelihood,
    private readonly outputs: string[],
  ) {}

  static async create(
    runtime: RuntimeBackend,
    likelihood: ManifestLikelihood,
    decoderOutputs: readonly string[],
    options: SessionOptions,
  ): Promise<LikelihoodScorer> {
    const scorer = LikelihoodScorer.deferred(runtime, likelihood, decoderOutputs, options);
    await scorer.ready();
    return scorer;
  }

  /** A scorer whose session is created by its first `score` (a remote Vae that never scores loads no ONNX Runtime). */
  static deferred(runtime: RuntimeBackend, likelihood: ManifestLikelihood, decoderOutputs: readonly string[], options: SessionOptions): LikelihoodScorer {
    let kind: keyof typeof LIKELIHOOD_GRAPHS;
    let outputs: string[];
    if (likelihood.kind === 'bernoulli') {
      // A model exported elsewhere may only give the sigmoid mean.
      [kind, outputs] = decoderOutputs.includes('logits') ? ['bernoulli-logits', ['logits']] : ['bernoulli-mean', ['mean']];
    } else if (likelihood.kind === 'gaussian') {
      [kind, outputs] = ['squared-error', ['mean']];
    } else {
      [kind, outputs] = ['gaussian-learned', ['mean', 'logvar_x']];
    }
    const open = () => runtime.createSession(fromBase64(LIKELIHOOD_GRAPHS[kind]), { ...options, strict: false, spinning: false, onWarning: () => undefined });
    return new LikelihoodScorer(open, likelihood, outputs);
  }

  /** The session, created once (a failed creation is tried again by the next call). */
  private ready(): Promise<GraphSession> {
    this.session ??= this.open().catch((error: unknown) => {
      this.session = null;
      throw error;
    });
    return this.session;
  }

  /** Contract outputs the decoder must produce for scoring. */
  get needs(): readonly string[] {
    return this.outputs;
  }

  /**
   * `x`: n examples of D features; `decoded`: the decoder outputs for n·K latents (example-major).
   * Returns log p(x_i | z_ik) as [n, K] in float64.
   */
  async score(x: Float32Array, decoded: DecoderOutputs, n: number, k: number): Promise<Float64Array> {
    const D = x.length / n;
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = { x: { data: x, dims: [n, 1, D] } };
    for (const name of this.outputs) feeds[name] = { data: decoded[name]!, dims: [n, k, D] };
    const { ll } = await (await this.ready()).run(feeds);
    const out = Float64Array.from(ll!.data);
    if (this.likelihood.kind === 'gaussian') {
      const sigma = this.likelihood.sigma;
      const constant = D * Math.log(sigma * Math.sqrt(2 * Math.PI));
      for (let i = 0; i < out.length; i++) out[i] = -out[i]! / (2 * sigma * sigma) - constant;
    }
    return out;
  }

  async release(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session) await (await session.catch(() => null))?.release();
  }
}
