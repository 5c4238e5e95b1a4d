import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs-backend-wasm and training tests are CPU-heavy; two cores, two workers.
    maxWorkers: 2,
    pool: 'forks',
  },
});
