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

  it('sums the gradient slots of a step in rank order as float32, whichever slot parity the step has', () => {
    const exchange = new StepExchange(sizes(3));
    const slots = [
      [1e8, 1, 0.1, -2, 3],
      [1, -1e8, 0.2, 2, 3],
      [0.5, 0.5, 0.3, 0, 3],
    ];
    for (const step of [1, 2]) {
      slots.forEach((values, rank) => exchange.gradientSlot(step, rank).set(values));
      const expected = slots[0]!.map((_, k) => Math.fround(Math.fround(Math.fround(slots[0]![k]!) + Math.fround(slots[1]![k]!)) + Math.fround(slots[2]![k]!)));
      expect(Array.from(exchange.gradientSum(step))).toEqual(expected);
    }
    // Step 1's slots were not overwritten by step 2's.
    expect(exchange.gradientSlot(1, 0)[0]).toBe(1e8);
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
