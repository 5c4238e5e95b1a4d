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

/**
 * Runs `session` over n rows in chunks of at most `batchSize`, with `inputs` sliced per chunk
 * (views, no copies), and concatenates each output. One chunk returns ONNX Runtime's arrays as is.
 */
export async function runBatched(
  session: GraphSession,
  inputs: Record<string, RowInput>,
  n: number,
  batchSize: number,
  outputs?: readonly string[],
  expected?: OutputRows,
): Promise<Record<string, TensorData>> {
  const feedsFor = (start: number, count: number) =>
    Object.fromEntries(
      Object.entries(inputs).map(([name, input]) => {
        const rowSize = size(input.rowShape);
        return [name, { data: input.data.subarray(start * rowSize, (start + count) * rowSize), dims: [count, ...input.rowShape] }];
      }),
    );
  if (n <= batchSize) {
    const results = await session.run(feedsFor(0, n), outputs);
    checkRows(results, n, expected);
    return results;
  }
  const out: Record<string, TensorData> = {};
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const results = await session.run(feedsFor(start, count), outputs);
    checkRows(results, count, expected);
    for (const [name, t] of Object.entries(results)) {
      const rowSize = t.data.length / count;
      out[name] ??= { data: new Float32Array(n * rowSize), dims: [n, ...t.dims.slice(1)] };
      out[name]!.data.set(t.data, start * rowSize);
    }
  }
  return out;
}
