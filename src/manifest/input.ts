/** Validation of the model's description: `input`, `condition`, `likelihood`. */
import { type Checker, type JsonObject, isNonEmptyString, isNumber, isObject, isPositiveInteger, joinPath } from './check.js';
import type { InputScaling, ManifestInput, ManifestLikelihood, VaeManifest } from './schema.js';

const LAYOUTS = {
  hwc: { rank: 3, dims: '[height, width, channels]' },
  chw: { rank: 3, dims: '[channels, height, width]' },
  features: { rank: 1, dims: '[features]' },
} as const;
export const LIKELIHOODS = ['bernoulli', 'gaussian', 'gaussian-learned'] as const satisfies readonly ManifestLikelihood['kind'][];
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export function checkInput(c: Checker, root: JsonObject): ManifestInput | undefined {
  const input = c.take(root, '', 'input', 'an object {shape, layout, range, scaling}', isObject);
  if (!input) return undefined;
  const shape = c.array(input, 'input', 'shape', 'an array of positive integers (one example, no batch dimension)', 'a positive integer', isPositiveInteger);
  if (shape && shape.length === 0) c.fail('input.shape', 'at least one dimension', shape);
  const layout = c.oneOf(input, 'input', 'layout', ['hwc', 'chw', 'features']);
  if (shape && layout && shape.length !== LAYOUTS[layout].rank) {
    c.fail('input.shape', `${LAYOUTS[layout].rank} dimension(s) for layout "${layout}" (${LAYOUTS[layout].dims})`, shape);
  }
  const range = c.take(input, 'input', 'range', '[lo, hi] with finite lo < hi', (v): v is [number, number] =>
    Array.isArray(v) && v.length === 2 && isNumber(v[0]) && isNumber(v[1]) && v[0] < v[1]);
  const features = shape && shape.length > 0 ? shape.reduce((a, b) => a * b, 1) : null;
  const scaling = input['scaling'] == null ? null : checkScaling(c, input['scaling'], features);
  if (!shape || !layout || !range || scaling === undefined) return undefined;
  return { shape: [...shape], layout, range: [range[0], range[1]], scaling };
}

function checkScaling(c: Checker, value: unknown, features: number | null): InputScaling | undefined {
  const path = 'input.scaling';
  if (!isObject(value)) return c.fail(path, 'null, {kind: "min-max", min, max} or {kind: "standardize", mean, std}', value);
  const kind = c.oneOf(value, path, 'kind', ['min-max', 'standardize']);
  if (!kind) return undefined;
  const [a, b] = kind === 'min-max' ? (['min', 'max'] as const) : (['mean', 'std'] as const);
  const arrays = [a, b].map((key) => {
    const values = c.array(value, path, key, `an array of ${features ?? 'per-feature'} finite numbers (one per input feature)`, 'a finite number', isNumber);
    if (values && features !== null && values.length !== features) {
      return c.failWith(joinPath(path, key), `${plural(features, 'value')} (one per feature: the product of input.shape)`, plural(values.length, 'value'));
    }
    return values;
  });
  const [first, second] = arrays;
  if (!first || !second) return undefined;
  // Scaling divides by (max − min) or std: both must be positive.
  const bad = second.findIndex((v, i) => (kind === 'min-max' ? v <= first[i]! : v <= 0));
  if (bad >= 0) {
    return c.fail(joinPath(joinPath(path, b), bad), kind === 'min-max' ? `a value > min[${bad}] (${first[bad]})` : 'a value > 0', second[bad]);
  }
  return kind === 'min-max' ? { kind, min: [...first], max: [...second] } : { kind, mean: [...first], std: [...second] };
}

export function checkCondition(c: Checker, root: JsonObject): VaeManifest['condition'] | undefined {
  const value = root['condition'];
  if (value == null) return null;
  if (!isObject(value)) return c.fail('condition', 'null (unconditional) or {classes, labels}', value);
  const classes = c.take(value, 'condition', 'classes', 'an integer ≥ 2', (v): v is number => isPositiveInteger(v) && v >= 2);
  const labels = c.array(value, 'condition', 'labels', 'an array of class labels (strings)', 'a non-empty string', isNonEmptyString);
  if (classes === undefined || !labels) return undefined;
  if (labels.length !== classes) {
    return c.failWith('condition.labels', `${plural(classes, 'label')} (condition.classes)`, plural(labels.length, 'label'));
  }
  const duplicate = labels.findIndex((l, i) => labels.indexOf(l) !== i);
  if (duplicate >= 0) return c.fail(`condition.labels[${duplicate}]`, `a label different from labels[${labels.indexOf(labels[duplicate]!)}]`, labels[duplicate]);
  return { classes, labels: [...labels] };
}

export function checkLikelihood(c: Checker, root: JsonObject): ManifestLikelihood | undefined {
  const value = c.take(root, '', 'likelihood', 'an object {kind: "bernoulli" | "gaussian" | "gaussian-learned"}', isObject);
  if (!value) return undefined;
  const kind = c.oneOf(value, 'likelihood', 'kind', LIKELIHOODS);
  if (kind !== 'gaussian') return kind && { kind };
  const sigma = c.take(value, 'likelihood', 'sigma', 'a finite number > 0 (the decoder’s fixed standard deviation)', (v): v is number => isNumber(v) && v > 0);
  return sigma === undefined ? undefined : { kind, sigma };
}
