import type { GraphRole, ManifestLikelihood } from './schema.js';

/** The contract names (docs/architecture.md, "The graph contract") a graph's name map must or may contain. */
export interface NameContract {
  required: string[];
  optional: string[];
  /** Optional names of which at least one must be given (a bernoulli decoder's `mean`, `logits`). */
  atLeastOne?: string[];
}

/**
 * Contract names of one graph. A bernoulli decoder needs `mean`, `logits` or both: a model from
 * another framework may only output the sigmoid mean, or only the logits (PyTorch models trained
 * with BCEWithLogitsLoss; the SDK then derives mean = sigmoid(logits)). `likelihood` null = not
 * known (invalid): the decoder outputs are then not checked.
 */
export function graphContract(
  graph: GraphRole,
  likelihood: ManifestLikelihood['kind'] | null,
  conditional: boolean,
): { inputs: NameContract; outputs: NameContract | null } {
  const c = conditional ? ['c'] : [];
  if (graph === 'encoder') return { inputs: { required: ['x', ...c], optional: [] }, outputs: { required: ['mu', 'logvar'], optional: [] } };
  const outputs: Record<ManifestLikelihood['kind'], NameContract> = {
    bernoulli: { required: [], optional: ['mean', 'logits'], atLeastOne: ['mean', 'logits'] },
    gaussian: { required: ['mean'], optional: [] },
    'gaussian-learned': { required: ['mean', 'logvar_x'], optional: [] },
  };
  return { inputs: { required: ['z', ...c], optional: [] }, outputs: likelihood ? outputs[likelihood] : null };
}
