import type { TrainConfig } from './config.js';
import type { EpochMetrics, FinalMetrics } from './objective/metrics.js';

/** Progress of a training run, delivered to `onEvent` as it happens. */
export type TrainEvent =
  | {
      type: 'start';
      backend: string;
      /** Threads training together (`workers`), the main thread included. */
      workers: number;
      /** What computes the gradients (metrics.ts › engine); null when the run takes no step (resumed at its last epoch). */
      engine: 'dense' | 'tfjs' | null;
      /** Faster backends that could not be used, with the reason. */
      skippedBackends: string[];
      config: TrainConfig;
      runDir: string;
      trainCount: number;
      testCount: number;
      /** Shape of one example, e.g. [28, 28, 1]. */
      inputShape: number[];
      batchesPerEpoch: number;
      /** 0 for a fresh run. */
      resumedFromEpoch: number;
    }
  | { type: 'batch'; epoch: number; epochs: number; batch: number; batches: number; loss: number; elapsedSeconds: number }
  | { type: 'phase'; phase: 'evaluate'; epoch: number }
  | { type: 'phase'; phase: 'iwae'; done: number; total: number }
  | { type: 'phase'; phase: 'model' }
  | { type: 'epoch'; metrics: EpochMetrics }
  | { type: 'done'; final: FinalMetrics; runDir: string };
