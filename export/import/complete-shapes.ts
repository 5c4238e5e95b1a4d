/**
 * Output shapes a graph does not declare: torch.onnx.export writes the height and width of a
 * ConvTranspose output as symbols (`ConvTransposelogits_dim_2`). When a graph's inputs are fully
 * known, running it once on zeros shows its outputs' sizes; the batch dimension stays as declared.
 */
import type { GraphFacts } from '../../src/manifest/graph-inspection.js';
import type { RuntimeBackend } from '../../src/runtime/backend.js';

const known = (dims: GraphFacts['outputs'][number]['dims']) => dims !== null && dims.slice(1).every((d) => typeof d === 'number');

/** `facts` with every output's example dimensions filled in by one run, and the names of the outputs completed. */
export async function completeOutputShapes(bytes: Uint8Array, facts: GraphFacts, backend: RuntimeBackend): Promise<{ facts: GraphFacts; completed: string[] }> {
  const unknown = facts.outputs.filter((o) => !known(o.dims));
  if (unknown.length === 0 || !facts.inputs.every((i) => known(i.dims))) return { facts, completed: [] };
  const session = await backend.createSession(bytes);
  try {
    const feeds = Object.fromEntries(
      facts.inputs.map((i) => {
        const batch = typeof i.dims![0] === 'number' && i.dims![0] > 0 ? i.dims![0] : 1;
        const dims = [batch, ...(i.dims!.slice(1) as number[])];
        return [i.name, { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims }];
      }),
    );
    const results = await session.run(feeds, unknown.map((o) => o.name));
    const outputs = facts.outputs.map((o) => {
      const seen = results[o.name];
      return seen && !known(o.dims) ? { ...o, dims: [o.dims?.[0] ?? 'N', ...seen.dims.slice(1)] } : o;
    });
    return { facts: { ...facts, outputs }, completed: unknown.map((o) => o.name) };
  } finally {
    await session.release();
  }
}
