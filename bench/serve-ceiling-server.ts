/**
 * The ceiling server of bench/serve-batching.ts: `vaekit serve`'s own server (src/serve/server.ts —
 * Fastify, the OIP routes, tensor parsing and encoding, the dynamic batcher, metrics, the same
 * flags) with every graph run replaced by a copy: the real graph's output for the first row it is
 * asked for, repeated for each row of every later request. The benchmark sends one row again and
 * again, so every response is byte for byte what the real server sends, without ONNX Runtime
 * running: the requests/s it serves is what the HTTP stack alone allows on this machine (beside
 * the load generator), and so the most any batching can reach. Benchmark-only: no product flag.
 *
 * `tsx bench/serve-ceiling-server.ts MODEL_FOLDER [--max-batch-size N] [--max-queue-delay-ms MS]`:
 * prints "listening on URL" on stderr like `vaekit serve`; SIGTERM closes it.
 */
import { DynamicBatcher } from '../src/serve/dynamic-batcher.js';
import { graphModels, type GraphModel, type GraphRequest, type GraphResult } from '../src/serve/graph-model.js';
import { createServer } from '../src/serve/server.js';
import { SERVE_DEFAULTS } from '../src/serve/settings.js';
import { option } from './options.js';

const folder = process.argv[2];
if (!folder || folder.startsWith('--')) throw new Error('usage: tsx bench/serve-ceiling-server.ts MODEL_FOLDER [--max-batch-size N] [--max-queue-delay-ms MS]');

/** A runner that asks the real graph once (for the first request's rows) and then repeats that output's first row. */
function copyingRunner(real: GraphModel) {
  let row: Record<string, { data: Float32Array; shape: number[] }> | null = null;
  return async (requests: readonly GraphRequest[]): Promise<GraphResult[]> => {
    row ??= await real.batcher.submit({ ...requests[0]!, outputs: real.outputs.map((o) => o.name) }, requests[0]!.rows);
    const first = row;
    return requests.map((r) => {
      const result: GraphResult = {};
      for (const name of r.outputs) {
        const { data, shape } = first[name]!;
        const width = data.length / shape[0]!;
        const out = new Float32Array(r.rows * width);
        for (let i = 0; i < r.rows; i++) out.set(data.subarray(0, width), i * width);
        result[name] = { data: out, shape: [r.rows, ...shape.slice(1)] };
      }
      return result;
    });
  };
}

const server = await createServer({
  ...SERVE_DEFAULTS,
  models: [folder],
  port: 0,
  maxBatchSize: option('max-batch-size', SERVE_DEFAULTS.maxBatchSize),
  maxQueueDelayMs: option('max-queue-delay-ms', SERVE_DEFAULTS.maxQueueDelayMs, { min: 0 }),
  logger: false,
  version: 'ceiling',
});
for (const model of server.models) {
  const real = graphModels(model.name, model.vae, (name) => model.graphs.find((g) => g.name === name)!.batcher.options);
  for (const graph of model.graphs) graph.batcher = new DynamicBatcher(copyingRunner(real.find((g) => g.name === graph.name)!), graph.batcher.options);
}
console.error(`ceiling server: listening on ${await server.listen()}`);
process.once('SIGTERM', () => void server.close());
