/** What the main thread hands a replica worker, and what the worker answers. */
import type { TrainBackend } from '../backend/train-backends.js';
import type { TrainConfig } from '../options/train-config.js';
import type { OptimizerSnapshot } from './optimizer-state.js';
import type { ExchangeBuffers, ExchangeSizes } from './step-exchange.js';

export interface ReplicaInit {
  rank: number;
  backend: TrainBackend;
  config: TrainConfig;
  inputShape: number[];
  valueRange: [number, number];
  classes: number | null;
  /** The main thread's trainable variables, in `trainableVariables` order. */
  weights: Float32Array[];
  optimizer: OptimizerSnapshot;
  sizes: ExchangeSizes;
  buffers: ExchangeBuffers;
}

export type ReplicaMessage = { type: 'ready' } | { type: 'error'; message: string; code?: string; stack?: string };
