/**
 * One replica of data-parallel training, in a worker thread with its own copy of the models. Every
 * replica computes the gradient of its shard of the batch, updates its share of the shared weights
 * with Adam (shared-adam.ts), then loads all the new weights into its variables.
 */
import * as tf from '@tensorflow/tfjs-core';
import { freeBitsMask } from '../dense/dense-step.js';
import type { DenseVaeGradient } from '../dense/dense-vae-gradient.js';
import { klPerDimension } from '../objective/likelihood.js';
import { forwardPass, type StepContext } from '../objective/train-step.js';
import type { SharedAdam } from './shared-adam.js';
import { readValues, writeVariable } from './tensor-memory.js';
import type { StepExchange } from './step-exchange.js';


export class Replica {
  private readonly features: number;
  private readonly classes: number;

  constructor(
    private readonly ctx: StepContext,
    private readonly exchange: StepExchange,
    private readonly rank: number,
    private readonly adam: SharedAdam,
    /** The dense VAE step, for a model it can train (then the variables are not used). */
    private readonly dense: DenseVaeGradient | null = null,
  ) {
    this.features = ctx.shape.reduce((a, b) => a * b, 1);
    this.classes = exchange.sizes.classes;
  }

  /** Step `step` of the batch now in the exchange; blocks while the other replicas catch up. */
  step(step: number): void {
    const { exchange, rank } = this;
    const rows = exchange.rows;
    const t0 = performance.now();
    const [start, end] = exchange.shard(rank, rows);
    this.waited = 0;
    const slot = exchange.gradientSlot(step, rank);
    const [recon, kl] = end <= start
      ? this.emptyShard(step, slot)
      : this.dense
        ? this.denseShardGradient(step, start, end, rows, slot)
        : this.shardGradient(start, end, rows, this.ctx.freeBits > 0 ? this.exchangeKl(step, this.shardKlSums(start, end, rows)).map((sum) => sum / rows) : null, slot);
    exchange.setLossSums(step, rank, recon, kl);
    exchange.markDone(1, rank, step);
    const t1 = performance.now();
    exchange.waitAllDone(1, step);
    const t2 = performance.now();
    const [first, last] = exchange.parameterShare(rank);
    this.adam.update({ weights: exchange.weights, m: exchange.m, v: exchange.v, gradients: exchange.gradientSlots(step) }, first, last);
    this.adam.advance();
    exchange.markDone(2, rank, step);
    const t3 = performance.now();
    exchange.waitAllDone(2, step);
    const t4 = performance.now();
    if (!this.dense) this.loadWeights(); // the dense step reads the shared weights themselves
    const t5 = performance.now();
    exchange.addTimings(rank, { steps: 1, gradientMs: t1 - t0 - this.waited, waitMs: this.waited + (t2 - t1) + (t4 - t3), adamMs: t3 - t2, loadMs: t5 - t4 });
  }

  /** Time this step spent waiting inside the gradient phase (the free-bits exchange). */
  private waited = 0;

  /**
   * Free bits: max(mean_i KL_ij, λ) needs the whole batch's mean before any shard's gradient. Hands
   * over this shard's KL sums per dimension, waits for every replica's, and returns the batch's sums.
   */
  private exchangeKl(step: number, sums: Float64Array): Float64Array {
    const { exchange, rank } = this;
    exchange.klDimensions(rank).set(sums);
    exchange.markDone(0, rank, step);
    const before = performance.now();
    exchange.waitAllDone(0, step);
    this.waited += performance.now() - before;
    return exchange.klDimensionTotals();
  }

  /** More replicas than rows in this batch: a zero gradient, and zeros in the free-bits exchange. */
  private emptyShard(step: number, slot: Float32Array): [number, number] {
    if (this.ctx.freeBits > 0) this.exchangeKl(step, new Float64Array(this.ctx.latentDim));
    slot.fill(0);
    return [0, 0];
  }

  /** The shard's gradient on the dense step, from the shared weights (the free-bits exchange runs between its encoder and decoder). */
  private denseShardGradient(step: number, start: number, end: number, rows: number, slot: Float32Array): [number, number] {
    const { exchange, features, ctx } = this;
    const freeBits = ctx.freeBits;
    const sums = this.dense!.gradient(exchange.weights, {
      x: exchange.x.subarray(start * features, end * features), eps: exchange.eps, epsRows: rows, epsStart: start, n: end - start, rows, beta: exchange.beta,
      ...(freeBits > 0 ? { klMask: (klSums: Float64Array) => freeBitsMask(this.exchangeKl(step, klSums), rows, freeBits) } : {}),
    }, slot);
    return [sums.recon, sums.kl];
  }

  /** The inputs of rows [start, end) as tensors: x, ε [L, rows, J] and the labels. */
  private shardInputs(start: number, end: number, rows: number): { x: tf.Tensor; eps: tf.Tensor; c: tf.Tensor | null } {
    const { exchange, ctx, features, classes } = this;
    const J = ctx.latentDim;
    const L = ctx.mcSamples;
    const n = end - start;
    const x = tf.tensor(exchange.x.slice(start * features, end * features), [n, ...ctx.shape]);
    const eps = new Float32Array(L * n * J);
    for (let l = 0; l < L; l++) eps.set(exchange.eps.subarray((l * rows + start) * J, (l * rows + end) * J), l * n * J);
    const c = classes > 0 ? tf.tensor2d(exchange.c.slice(start * classes, end * classes), [n, classes]) : null;
    return { x, eps: tf.tensor3d(eps, [L, n, J]), c };
  }

  /** Free bits: Σ over the shard of each dimension's KL. */
  private shardKlSums(start: number, end: number, rows: number): Float64Array {
    const sums = tf.tidy(() => {
      const { x, c } = this.shardInputs(start, end, rows);
      const [mu, logvar] = this.ctx.encoder.apply(c ? [x, c] : x, { training: true }) as tf.Tensor[];
      return tf.sum(klPerDimension(mu!, logvar!), 0);
    });
    const values = Float64Array.from(sums.dataSync());
    sums.dispose();
    return values;
  }

  /**
   * Writes into `into` the gradient of this shard's part of the batch objective — its terms summed
   * and divided by the batch's rows, so the replicas' parts add up to the batch mean — and returns
   * the shard's (recon, KL) sums.
   */
  private shardGradient(start: number, end: number, rows: number, klMeans: Float64Array | null, into: Float32Array): [number, number] {
    const { ctx } = this;
    const n = end - start;
    const L = ctx.mcSamples;
    const beta = this.exchange.beta;
    // d/dθ Σ_j max(m_j, λ) = Σ_j [m_j ≥ λ] dm_j/dθ (tfjs' maximum sends the gradient to its first argument on ties).
    const mask = klMeans && Float32Array.from(klMeans, (m) => (m >= ctx.freeBits ? 1 : 0));
    let reconSum: tf.Scalar | undefined;
    let klSum: tf.Scalar | undefined;
    const grads = tf.tidy(() => {
      const { x, eps, c } = this.shardInputs(start, end, rows);
      const { grads: named } = tf.variableGrads(() => {
        const { mu, logvar, logpx } = forwardPass(ctx, x, eps, c, n);
        const recon = tf.div(tf.neg(tf.sum(logpx)), L) as tf.Scalar; // Σ over the shard of the L-sample mean
        const klDims = tf.sum(klPerDimension(mu, logvar), 0); // [J]
        const kl = tf.sum(klDims) as tf.Scalar;
        const klTerm = mask ? tf.sum(tf.mul(klDims, tf.tensor1d(mask))) : kl;
        reconSum = tf.keep(recon);
        klSum = tf.keep(kl);
        return tf.div(tf.add(recon, tf.mul(beta, klTerm)), rows) as tf.Scalar;
      }, ctx.variables);
      return ctx.variables.map((v) => named[v.name]!);
    });
    let offset = 0;
    for (const grad of grads) {
      readValues(grad, into, offset);
      offset += grad.size;
    }
    const sums: [number, number] = [reconSum!.dataSync()[0]!, klSum!.dataSync()[0]!];
    tf.dispose([...grads, reconSum!, klSum!]);
    return sums;
  }

  /** The shared weights into this replica's variables. */
  loadWeights(): void {
    const { weights } = this.exchange;
    let offset = 0;
    for (const v of this.ctx.variables) {
      writeVariable(v, weights.subarray(offset, offset + v.size));
      offset += v.size;
    }
  }
}
