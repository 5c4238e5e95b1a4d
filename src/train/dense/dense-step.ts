/**
 * One-thread training on the dense VAE step: the gradient from DenseVaeGradient, the update from
 * vaekit's Adam on the flat weights (FlatAdam), the models' variables set only when the trainer
 * syncs (before evaluation and checkpoints).
 */
import type { StepInput, StepResult } from '../objective/train-step.js';
import type { FlatAdam } from '../parallel/flat-adam.js';
import type { DenseSums, DenseVaeGradient } from './dense-vae-gradient.js';

/** Free bits: which dimensions' batch-mean KL (Σ over `rows` rows / rows) reaches the floor λ and so keeps its gradient. */
export function freeBitsMask(klSums: Float64Array, rows: number, freeBits: number): Float32Array {
  // tfjs' maximum(m, λ) sends the gradient to m on ties: m ≥ λ.
  return Float32Array.from(klSums, (sum) => (sum / rows >= freeBits ? 1 : 0));
}

/** A step's figures per example from its sums over the batch's `n` rows (the KL per dimension for free bits). */
export function stepFigures(reconSum: number, klSum: number, klDimensionSums: Float64Array | null, n: number, beta: number, freeBits: number): StepResult {
  const recon = reconSum / n;
  const kl = klSum / n;
  // Free bits: the objective's KL term is Σ_j max(batch-mean KL_j, λ).
  const klTerm = freeBits > 0 && klDimensionSums ? klDimensionSums.reduce((sum, total) => sum + Math.max(total / n, freeBits), 0) : kl;
  return { objective: recon + beta * klTerm, recon, kl };
}

/** One Adam step on the negative ELBO of a batch: what trainStep does, for a model the dense step can train. */
export function denseTrainStep(gradient: DenseVaeGradient, adam: FlatAdam, freeBits: number, input: StepInput): StepResult {
  const { n, beta } = input;
  let sums: DenseSums | undefined;
  adam.applyFlat((into) => {
    sums = gradient.gradient(adam.weights, {
      x: input.x, eps: input.eps, epsRows: n, epsStart: 0, n, rows: n, beta,
      ...(freeBits > 0 ? { klMask: (klSums: Float64Array) => freeBitsMask(klSums, n, freeBits) } : {}),
    }, into);
  });
  return stepFigures(sums!.recon, sums!.kl, sums!.klDimensions, n, beta, freeBits);
}
