import type { LatentMatch } from './latent-match.js';

/** One line of `metrics.jsonl`: what an epoch achieved. Losses are nats per example. */
export interface EpochMetrics {
  epoch: number;
  /** Mean −ELBO (β = 1) of the training batches during the epoch. */
  trainNegElbo: number;
  /** Mean training objective (with β, warm-up and free bits) — what the optimizer minimized. */
  trainObjective: number;
  testNegElbo: number;
  testRecon: number;
  testKl: number;
  activeUnits: number;
  /** MMD² between encoded test latents and prior draws (latent-match.ts; 0 = matched). */
  latentMmd: number;
  /** AAE: mean discriminator loss over the epoch (ln 4 ≈ 1.386 = it cannot tell prior from encoder). */
  discriminatorLoss?: number;
  /** AAE: mean generator (encoder) loss −log D(z) over the epoch (ln 2 ≈ 0.693 at chance). */
  generatorLoss?: number;
  /** Training examples per second over the epoch (excluding evaluation). */
  samplesPerSec: number;
  /** β in force at the end of the epoch (differs from the configured β during warm-up). */
  beta: number;
  backend: string;
  /** Threads that trained the epoch (absent in runs written before `workers` existed: 1). */
  workers?: number;
  /**
   * What computed the gradients: `dense`, vaekit's dense VAE step (an MLP VAE with a Bernoulli or
   * Gaussian likelihood), or `tfjs`, tfjs' engine through the models (absent in older runs: tfjs).
   */
  engine?: 'dense' | 'tfjs';
  /** Seconds the epoch took, evaluation included. */
  seconds: number;
}

/** The last line of `metrics.jsonl`, written once training is complete. */
export interface FinalMetrics {
  final: true;
  epochs: number;
  testNegElbo: number;
  testRecon: number;
  testKl: number;
  activeUnits: number;
  /** −log p(x) estimated with K importance samples, nats per example; null when K = 0. */
  testIwaeNll: number | null;
  iwaeSamples: number;
  /** −ELBO in bits per dimension: −ELBO / (D · ln 2). */
  testBitsPerDim: number;
  /** How closely the encoded test latents follow N(0, I): per-dimension mean and std, MMD². */
  latentMatch: LatentMatch;
  backend: string;
}
