import { describe, expect, it } from 'vitest';
import { StepExchange } from '../../../src/train/parallel/step-exchange.js';

const sizes = (workers: number) => ({ workers, parameters: 5, batchSize: 8, features: 3, latentDim: 2, mcSamples: 2, classes: 0 });

describe('StepExchange', () => {
  it('splits every batch into contiguous shards that cover each row once and differ in size by at most one', () => {
    for (const workers of [1, 2, 3, 5]) {
      const exchange = new StepExchange(sizes(workers));
      for (const rows of [1, 2, 7, 8, 127, 128]) {
        const shards = Array.from({ length: workers }, (_, r) => exchange.shard(r, rows));
        expect(shards[0]![0]).toBe(0);
        expect(shards.at(-1)![1]).toBe(rows);
        for (let r = 1; r < workers; r++) expect(shards[r]![0]).toBe(shards[r - 1]![1]);
        const lengths = shards.map(([a, b]) => b - a);
        expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gives each replica a contiguous share of the parameters for the Adam update, covering each once', () => {
    for (const workers of [1, 2, 3]) {
      const exchange = new StepExchange({ ...sizes(workers), parameters: 652_824 });
      const shares = Array.from({ length: workers }, (_, r) => exchange.parameterShare(r));
      expect(shares[0]![0]).toBe(0);
      expect(shares.at(-1)![1]).toBe(652_824);
      for (let r = 1; r < workers; r++) expect(shares[r]![0]).toBe(shares[r - 1]![1]);
    }
  });

  it('keeps step s and step s + 1 gradients in different slots', () => {
    const exchange = new StepExchange(sizes(2));
    exchange.gradientSlot(1, 0).fill(1);
    exchange.gradientSlot(2, 0).fill(2);
    expect(exchange.gradientSlots(1)[0]![0]).toBe(1);
    expect(exchange.gradientSlots(2)[0]![0]).toBe(2);
  });

  it('views the same memory from a second instance built on its buffers, as a worker does', () => {
    const main = new StepExchange(sizes(2));
    const worker = new StepExchange(main.sizes, main.buffers);
    main.x.set([1, 2, 3]);
    main.startStep(1, 6, 0.25);
    expect(worker.rows).toBe(6);
    expect(worker.beta).toBe(0.25);
    expect(Array.from(worker.x.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(worker.waitForStep(1)).toBe(true);
    main.stop();
    expect(worker.waitForStep(2)).toBe(false);
  });
});
