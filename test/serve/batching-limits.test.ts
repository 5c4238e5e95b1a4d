/** Dynamic batching and back-pressure of a real server: merged runs, own rows back, 413, 429, 503 on timeout. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae } from '../../src/node.js';
import { MODEL, ROOT, latentRow, post, startServer } from './serve-helpers.js';

let local: Vae;
beforeAll(async () => {
  local = await Vae.load(`${ROOT}${MODEL}`);
});
afterAll(() => local.dispose());

const infer = (url: string, rows: number[][]) =>
  post(`${url}/v2/models/mnist-mlp-decoder/infer`, { inputs: [{ name: 'z', shape: [rows.length, 20], datatype: 'FP32', data: rows.flat() }], outputs: [{ name: 'mean' }] });

/** The sum and count of the batch-size histogram of the decoder. */
async function batchSizes(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`${name}\\{model="mnist-mlp-decoder"\\} (\\S+)`).exec(text)?.[1] ?? NaN);
  return { sum: value('vaekit_batch_size_sum'), count: value('vaekit_batch_size_count') };
}

describe('dynamic batching', () => {
  it('merges 32 concurrent requests into few runs; each caller gets its own rows', async () => {
    // A batch of 32 rows runs as soon as it is full; the long delay only makes that independent of the machine's load.
    const { server, url } = await startServer({ maxBatchSize: 32, maxQueueDelayMs: 5000 });
    try {
      const rows = Array.from({ length: 32 }, (_, i) => latentRow(100 + i));
      const responses = await Promise.all(rows.map((row) => infer(url, [row])));
      const expected = await local.decode({ data: Float32Array.from(rows.flat()), shape: [32, 20] }, { meanOnly: true });
      for (const [i, response] of responses.entries()) {
        expect(response.status).toBe(200);
        const mean = (await response.json()).outputs[0].data as number[];
        const own = expected.mean.data.subarray(i * 784, (i + 1) * 784);
        // Same rows, possibly another GEMM blocking than the local 32-row run: float32 rounding only.
        const worst = mean.reduce((m, v, j) => Math.max(m, Math.abs(v - own[j]!)), 0);
        expect(worst, `request ${i}`).toBeLessThan(1e-5);
      }
      const { sum, count } = await batchSizes(url);
      expect({ sum, count }).toEqual({ sum: 32, count: 1 }); // 32 requests, one ONNX Runtime run
    } finally {
      await server.close();
    }
  });

  it('runs one row per call with --max-batch-size 1', async () => {
    const { server, url } = await startServer({ maxBatchSize: 1 });
    try {
      await Promise.all(Array.from({ length: 8 }, (_, i) => infer(url, [latentRow(i)])));
      expect(await batchSizes(url)).toEqual({ sum: 8, count: 8 });
    } finally {
      await server.close();
    }
  });
});

describe('limits and back-pressure', () => {
  it('refuses a body over --body-limit with 413 and too many rows with 413 naming the limit', async () => {
    const { server, url } = await startServer({ bodyLimit: 10_000, maxRequestRows: 4 });
    try {
      const big = await infer(url, Array.from({ length: 40 }, (_, i) => latentRow(i)));
      expect(big.status).toBe(413);
      expect((await big.json()).error).toMatch(/^the request body is larger than 10000 bytes \(--body-limit\)/);
      const rows = await infer(url, Array.from({ length: 5 }, () => new Array(20).fill(0)));
      expect(rows.status).toBe(413);
      expect((await rows.json()).error).toBe("input 'z' has 5 rows; a request holds at most 4 (--max-request-rows)");
      const n = await post(`${url}/vaekit/v1/models/mnist-mlp/sample`, { n: 5 });
      expect(n.status).toBe(413);
    } finally {
      await server.close();
    }
  });

  it('answers 429 with Retry-After when the queue is full', async () => {
    // Requests wait 3 s for a batch to fill, so the queue holds exactly 3 while the rest arrive.
    const { server, url } = await startServer({ maxQueue: 3, maxQueueDelayMs: 3000 });
    try {
      const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => infer(url, [latentRow(i)])));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
      const refused = responses.find((r) => r.status === 429)!;
      expect(refused.headers.get('retry-after')).toBe('1');
      expect((await refused.json()).error).toMatch(/queue is full \(3 requests waiting, --max-queue\)/);
    } finally {
      await server.close();
    }
  });

  it('drops a request that waited past --timeout-ms with 503 and Retry-After', async () => {
    const { server, url } = await startServer({ timeoutMs: 100, maxQueueDelayMs: 1000 });
    try {
      const response = await infer(url, [latentRow(0)]);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect((await response.json()).error).toMatch(/waited 100 ms in the queue/);
    } finally {
      await server.close();
    }
  });
});
