/** The backend names alone, without TensorFlow.js: the CLI's option tables load before any training peer. */
export const TRAIN_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TrainBackend = (typeof TRAIN_BACKENDS)[number];
