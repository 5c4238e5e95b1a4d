/** What the main thread hands a replica worker, and what the worker answers. */
import type { TrainBackend } from '../backend/train-backends.js';
import type { TrainConfig } from '../options/train-config.js';
import type { ExchangeBuffers, ExchangeSizes } from './step-exchange.js';

export interface ReplicaInit {
  rank: number;
  backend: TrainBackend;
  config: TrainConfig;
  inputShape: number[];
  valueRange: [number, number];
  classes: number | null;
  /** Adam's β₁ᵗ and β₂ᵗ at the start (the weights and moments are in the shared buffers). */
  accBeta1: number;
  accBeta2: number;
  /** Train on the dense VAE step (the main thread found the model fits it). */
  dense: boolean;
  sizes: ExchangeSizes;
  buffers: ExchangeBuffers;
}

export type ReplicaMessage = { type: 'ready' } | { type: 'error'; message: string; code?: string; stack?: string };
