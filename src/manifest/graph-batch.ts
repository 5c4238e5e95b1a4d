/**
 * The batch size a graph fixes, if any. A graph exported without dynamic axes (torch.onnx.export
 * without `dynamic_axes`, a Keras model saved with a fixed batch) declares e.g. x [1, 784]: ONNX
 * Runtime then refuses any other number of rows, so the SDK runs such a graph in chunks of exactly
 * that many rows (src/vae/batched-run.ts).
 */
import { VaekitError } from '../errors.js';
import type { GraphFacts } from './graph-inspection.js';
import type { GraphRole, VaeManifest } from './schema.js';

/** Rows per call each graph requires: a number for a fixed batch dimension, null for a symbolic (or undeclared) one. */
export type FixedBatch = Record<GraphRole, number | null>;

/**
 * Reads the first dimension of each graph's contract inputs (`x`, `c` / `z`, `c`). Inputs that fix
 * it must agree within a graph (a symbolic one takes whatever is fed); otherwise the graph cannot
 * be run at all and `invalid-manifest` names both inputs.
 *
 * @example
 * ```ts
 * fixedBatch(manifest, { encoder: inspectGraph(encoderBytes), decoder: inspectGraph(decoderBytes) }); // { encoder: 1, decoder: 1 }
 * ```
 */
export function fixedBatch(manifest: VaeManifest, facts: Record<GraphRole, GraphFacts>): FixedBatch {
  return { encoder: graphBatch(manifest, 'encoder', facts.encoder), decoder: graphBatch(manifest, 'decoder', facts.decoder) };
}

function graphBatch(manifest: VaeManifest, role: GraphRole, facts: GraphFacts): number | null {
  const entry = manifest.graphs[role];
  let found: { size: number; input: string } | null = null;
  for (const [contract, name] of Object.entries(entry.inputs)) {
    const first = facts.inputs.find((i) => i.name === name)?.dims?.[0];
    // 0 or a negative value is not a batch size ONNX Runtime could be fed: treat it as symbolic.
    if (typeof first !== 'number' || first < 1) continue;
    const input = `'${name}' (graphs.${role}.inputs.${contract})`;
    if (found && found.size !== first) {
      throw new VaekitError(
        'invalid-manifest',
        `${entry.file} fixes different batch sizes for its inputs: ${found.input} has batch dimension ${found.size}, ${input} has ${first}; a graph's inputs must share one batch dimension (export it with the same, or a dynamic, batch axis for every input)`,
      );
    }
    found ??= { size: first, input };
  }
  return found?.size ?? null;
}
