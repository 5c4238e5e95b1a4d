import { fillStandardNormal, reparameterize } from '../sampler/index.js';
import type { LikelihoodScorer } from './likelihood-scorer.js';

const LOG_2PI = Math.log(2 * Math.PI);

export interface ScoreContext {
  latentDim: number;
  scorer: LikelihoodScorer;
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
 * log p(x) ≈ logsumexp_k [log p(x|z_k) + log p(z_k) − log q(z_k|x)] − log K for n examples
 * (VAE.md), with the maximum subtracted. ε of example i, sample k, dimension j is normal number
 * offset + (i·K + k)·J + j of (seed, stream) — the trainer's layout, so both agree.
 */
export async function importanceSampled(
  ctx: ScoreContext,
  x: Float32Array,
  mu: Float32Array,
  logvar: Float32Array,
  c: Float32Array | null,
  n: number,
  k: number,
  stream: ScoreStream,
  first: number,
): Promise<Float64Array> {
  const J = ctx.latentDim;
  const eps = fillStandardNormal(new Float32Array(n * k * J), { seed: stream.seed, stream: stream.stream, offset: stream.offset + first * k * J });
  const muRep = repeatRows(mu, J, n, k);
  const lvRep = repeatRows(logvar, J, n, k);
  const z = reparameterize(muRep, lvRep, eps);
  const cRep = c ? repeatRows(c, c.length / n, n, k) : null;
  const decoded = await ctx.decode(z, cRep, n * k);
  const ll = await ctx.scorer.score(x, decoded, n, k);
  const result = new Float64Array(n);
  const logw = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let s = 0; s < k; s++) {
      const r = i * k + s;
      let logpz = 0;
      let logqz = 0;
      for (let j = 0; j < J; j++) {
        const zv = z[r * J + j]!;
        const e = eps[r * J + j]!;
        logpz += zv * zv;
        logqz += lvRep[r * J + j]! + e * e; // z − μ = σ·ε
      }
      logw[s] = ll[r]! - 0.5 * (logpz + J * LOG_2PI) + 0.5 * (logqz + J * LOG_2PI);
      if (logw[s]! > max) max = logw[s]!;
    }
    let sum = 0;
    for (let s = 0; s < k; s++) sum += Math.exp(logw[s]! - max);
    result[i] = max + Math.log(sum) - Math.log(k);
  }
  return result;
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
