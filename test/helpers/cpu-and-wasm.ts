import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, expect } from 'vitest';

/**
 * Starts the cpu and wasm backends before the file's tests; after each test runs `reset` (uninstall
 * what the test installed, even when it failed) and selects wasm again.
 */
export function useCpuAndWasm(reset: () => void): void {
  beforeAll(async () => {
    for (const name of ['cpu', 'wasm'] as const) {
      expect(await tf.setBackend(name)).toBe(true);
      await tf.ready();
    }
  });
  afterEach(async () => {
    reset();
    await tf.setBackend('wasm');
  });
}
