import { fillStandardNormal, reparameterize } from '../sampler/index.js';
import type { LikelihoodScorer } from './likelihood-scorer.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** What scoring needs from a model; every call works on one chunk of rows. */
export interface ScoreContext {
  latentDim: number;
  /** Features per example (D). */
  features: number;
  /** One-hot width of a condition row (0 for an unconditional model). */
  classes: number;
  scorer: LikelihoodScorer;
  /** μ and logvar of q(z|x) for n examples. */
  encode(x: Float32Array, c: Float32Array | null, n: number): Promise<{ mu: Float32Array; logvar: Float32Array }>;
  /** Decodes n latents (with one-hot conditions) into the scorer's outputs. */
  decode(z: Float32Array, c: Float32Array | null, n: number): Promise<Record<string, Float32Array>>;
}

export interface ScoreStream {
  seed: number;
  stream: number;
  offset: number;
}

function repeatRows(rows: Float32Array, width: number, n: number, k: number): Float32Array {
  const out = new Float32Array(n * k * width);
  for (let i = 0; i < n; i++) {
    const row = rows.subarray(i * width, (i + 1) * width);
    for (let j = 0; j < k; j++) out.set(row, (i * k + j) * width);
  }
  return out;
}

/**
 * log p(x) per example as a log-sum-exp accumulated chunk by chunk: each chunk's maximum is
 * subtracted, and the running sum is rescaled when a larger maximum arrives. One chunk per
 * example gives exactly max + log Σ exp(w − max).
 */
export class RunningLogSumExp {
  private readonly max: Float64Array;
  private readonly sum: Float64Array;

  constructor(n: number) {
    this.max = new Float64Array(n).fill(-Infinity);
    this.sum = new Float64Array(n);
  }

  /** Adds `count` log-weights of each example (example-major `logw`). */
  add(logw: Float64Array, count: number): void {
    for (let i = 0; i < this.max.length; i++) {
      let max = -Infinity;
      for (let s = 0; s < count; s++) if (logw[i * count + s]! > max) max = logw[i * count + s]!;
      if (max === -Infinity) continue; // weights of 0 add nothing (and −∞ − −∞ would be NaN)
      let sum = 0;
      for (let s = 0; s < count; s++) sum += Math.exp(logw[i * count + s]! - max);
      if (max > this.max[i]!) {
        this.sum[i] = this.sum[i]! * Math.exp(this.max[i]! - max) + sum;
        this.max[i] = max;
      } else {
        this.sum[i]! += sum * Math.exp(max - this.max[i]!);
      }
    }
  }

  /** log Σ exp(w) of example i. */
  value(i: number): number {
    return this.max[i]! + Math.log(this.sum[i]!);
  }
}

/**
 * log w = log p(x|z) + log p(z) − log q(z|x) for `count` samples of each of n examples, example-
 * major. ε of that block is normals `epsOffset`… of the stream: the caller keeps the layout.
 */
async function importanceLogWeights(
  ctx: ScoreContext,
  x: Float32Array,
  mu: Float32Array,
  logvar: Float32Array,
  c: Float32Array | null,
  n: number,
  count: number,
  stream: ScoreStream,
  epsOffset: number,
): Promise<Float64Array> {
  const J = ctx.latentDim;
  const eps = fillStandardNormal(new Float32Array(n * count * J), { seed: stream.seed, stream: stream.stream, offset: epsOffset });
  const muRep = repeatRows(mu, J, n, count);
  const lvRep = repeatRows(logvar, J, n, count);
  const z = reparameterize(muRep, lvRep, eps);
  const cRep = c ? repeatRows(c, ctx.classes, n, count) : null;
  const decoded = await ctx.decode(z, cRep, n * count);
  const ll = await ctx.scorer.score(x, decoded, n, count);
  const logw = new Float64Array(n * count);
  for (let r = 0; r < n * count; r++) {
    let logpz = 0;
    let logqz = 0;
    for (let j = 0; j < J; j++) {
      const zv = z[r * J + j]!;
      const e = eps[r * J + j]!;
      logpz += zv * zv;
      logqz += lvRep[r * J + j]! + e * e; // z − μ = σ·ε
    }
    logw[r] = ll[r]! - 0.5 * (logpz + J * LOG_2PI) + 0.5 * (logqz + J * LOG_2PI);
  }
  return logw;
}

export interface ImportanceOptions {
  /** Importance samples per example. */
  k: number;
  /** Latent samples decoded per call: bounds the memory of a chunk whatever k and n are. */
  rows: number;
  stream: ScoreStream;
  /** After each chunk: (example, sample) pairs scored so far, and n·k. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * log p(x) ≈ logsumexp_k [log p(x|z_k) + log p(z_k) − log q(z_k|x)] − log K for n examples
 * (docs/math.md). ε of example i, sample s, dimension j is normal number offset + (i·K + s)·J + j of
 * (seed, stream) — the trainer's layout, so both agree — however the work is chunked: ⌊rows/K⌋
 * whole examples per chunk, or, when K > rows, one example in slices of `rows` samples. The
 * encoder runs per chunk too, so memory depends on `rows`, not on n or K.
 */
export async function importanceSampled(ctx: ScoreContext, x: Float32Array, c: Float32Array | null, n: number, options: ImportanceOptions): Promise<Float64Array> {
  const { k, rows, stream } = options;
  const { latentDim: J, features: D, classes } = ctx;
  const perChunk = Math.max(1, Math.floor(rows / k));
  const slice = Math.min(k, rows);
  const out = new Float64Array(n);
  let done = 0;
  for (let first = 0; first < n; first += perChunk) {
    const m = Math.min(perChunk, n - first);
    const xs = x.subarray(first * D, (first + m) * D);
    const cs = c ? c.subarray(first * classes, (first + m) * classes) : null;
    const { mu, logvar } = await ctx.encode(xs, cs, m);
    const total = new RunningLogSumExp(m);
    for (let s0 = 0; s0 < k; s0 += slice) {
      const count = Math.min(slice, k - s0);
      total.add(await importanceLogWeights(ctx, xs, mu, logvar, cs, m, count, stream, stream.offset + (first * k + s0) * J), count);
      done += m * count;
      options.onProgress?.(done, n * k);
    }
    for (let i = 0; i < m; i++) out[first + i] = total.value(i) - Math.log(k);
  }
  return out;
}

/**
 * One-sample ELBO terms per example, `rows` examples per chunk: E_q log p(x|z) with ε of example
 * i, dimension j = normal offset + i·J + j, and the closed-form KL (docs/math.md) rather than a
 * one-sample log p(z) − log q(z|x): lower variance.
 */
export async function elboTerms(ctx: ScoreContext, x: Float32Array, c: Float32Array | null, n: number, rows: number, stream: ScoreStream) {
  const { latentDim: J, features: D, classes } = ctx;
  const recon = new Float64Array(n);
  const kl = new Float64Array(n);
  for (let first = 0; first < n; first += rows) {
    const m = Math.min(rows, n - first);
    const xs = x.subarray(first * D, (first + m) * D);
    const cs = c ? c.subarray(first * classes, (first + m) * classes) : null;
    const { mu, logvar } = await ctx.encode(xs, cs, m);
    kl.set(klPerExample(mu, logvar, m, J), first);
    const eps = fillStandardNormal(new Float32Array(m * J), { seed: stream.seed, stream: stream.stream, offset: stream.offset + first * J });
    const decoded = await ctx.decode(reparameterize(mu, logvar, eps), cs, m);
    recon.set(await ctx.scorer.score(xs, decoded, m, 1), first);
  }
  return { recon, kl };
}

/** Closed-form KL(q(z|x) ‖ N(0, I)) per example, float64. */
export function klPerExample(mu: Float32Array, logvar: Float32Array, n: number, J: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let kl = 0;
    for (let j = 0; j < J; j++) {
      const m = mu[i * J + j]!;
      const lv = logvar[i * J + j]!;
      kl += m * m + Math.exp(lv) - lv - 1;
    }
    out[i] = 0.5 * kl;
  }
  return out;
}
