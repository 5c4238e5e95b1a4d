import { VaekitError } from '../errors.js';
import type { GraphSession, TensorData } from '../runtime/backend.js';

/** A per-row input: `rowShape` is one row's dims (without the batch). */
export interface RowInput {
  data: Float32Array;
  rowShape: readonly number[];
}

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** What each output must hold per row, from the manifest; `graph` and `source` name both sides in errors. */
export interface OutputRows {
  graph: string;
  rows: Record<string, { values: number; source: string }>;
}

/**
 * Refuses outputs whose size per row is not what the manifest says: a graph with symbolic
 * dimensions passes the load-time comparison, and its result would otherwise be cut to the wrong
 * shape silently.
 */
function checkRows(results: Record<string, TensorData>, count: number, expected: OutputRows | undefined): void {
  for (const [name, t] of Object.entries(results)) {
    const want = expected?.rows[name];
    if (!want || t.data.length === count * want.values) continue;
    throw new VaekitError(
      'invalid-manifest',
      `${expected.graph} output '${name}' has ${t.data.length / count} values per example (shape [${t.dims.join(', ')}]); the manifest's ${want.source} says ${want.values}: vaekit.json does not describe this graph`,
    );
  }
}

export interface BatchedRunOptions {
  /** Most rows per ONNX Runtime call (a symbolic batch dimension). */
  batchSize: number;
  /**
   * The batch size the graph fixes (graph-batch.ts), or null: with a number every call gets
   * exactly that many rows — the last chunk padded with zero rows whose outputs are dropped.
   */
  fixedBatch?: number | null;
  /** Graph output names to fetch (ONNX Runtime computes only what they need); default: all. */
  outputs?: readonly string[];
  expected?: OutputRows;
}

/**
 * Runs `session` over n rows in chunks of at most `batchSize` (or exactly `fixedBatch`), with
 * `inputs` sliced per chunk (views, no copies, except a padded last chunk), and concatenates each
 * output. One unpadded chunk returns ONNX Runtime's arrays as is.
 */
export async function runBatched(session: GraphSession, inputs: Record<string, RowInput>, n: number, options: BatchedRunOptions): Promise<Record<string, TensorData>> {
  const { outputs, expected } = options;
  const fixed = options.fixedBatch ?? null;
  const chunk = fixed ?? options.batchSize;
  const feedsFor = (start: number, count: number) =>
    Object.fromEntries(
      Object.entries(inputs).map(([name, input]) => {
        const rowSize = size(input.rowShape);
        const rows = input.data.subarray(start * rowSize, (start + count) * rowSize);
        if (fixed === null || count === fixed) return [name, { data: rows, dims: [count, ...input.rowShape] }];
        // Zero rows up to the fixed size: any finite row is valid input, and its outputs are dropped.
        const padded = new Float32Array(fixed * rowSize);
        padded.set(rows);
        return [name, { data: padded, dims: [fixed, ...input.rowShape] }];
      }),
    );
  const fed = (count: number) => fixed ?? count;
  if (fixed === null ? n <= chunk : n === fixed) {
    const results = await session.run(feedsFor(0, n), outputs);
    checkRows(results, n, expected);
    return results;
  }
  const out: Record<string, TensorData> = {};
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    const results = await session.run(feedsFor(start, count), outputs);
    checkRows(results, fed(count), expected);
    for (const [name, t] of Object.entries(results)) {
      const rowSize = t.data.length / fed(count);
      out[name] ??= { data: new Float32Array(n * rowSize), dims: [n, ...t.dims.slice(1)] };
      out[name]!.data.set(count === fed(count) ? t.data : t.data.subarray(0, count * rowSize), start * rowSize);
    }
  }
  return out;
}
