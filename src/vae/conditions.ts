import { VaekitError, describeValue } from '../errors.js';
import type { VaeManifest } from '../manifest/schema.js';
import type { VaeTensor } from './tensor.js';

/** A condition for a CVAE: class indices (one per example, or one for all) or one-hot rows. */
export type ConditionInput = number | ArrayLike<number> | VaeTensor;

/**
 * The one-hot [n, classes] rows for `c`, or null for an unconditional model; refuses a condition
 * where none is expected and the reverse (`condition-mismatch`).
 */
export function conditionRows(manifest: VaeManifest, c: ConditionInput | undefined, n: number): Float32Array | null {
  const condition = manifest.condition;
  if (!condition) {
    if (c !== undefined) throw new VaekitError('condition-mismatch', `'c' must be omitted: model '${manifest.name}' is not conditional; found a condition`);
    return null;
  }
  const classes = condition.classes;
  if (c === undefined) {
    throw new VaekitError('condition-mismatch', `'c' is required: model '${manifest.name}' is conditional on ${classes} classes (${condition.labels.slice(0, 5).join(', ')}${classes > 5 ? ', …' : ''}); found none`);
  }
  if (c === null || (typeof c !== 'number' && typeof c !== 'object')) {
    throw new VaekitError('invalid-argument', `'c' must be class indices or one-hot rows { data, shape }; found ${describeValue(c)}`);
  }
  if (typeof c === 'object' && 'shape' in c && 'data' in c) {
    if (!Array.isArray(c.shape) || c.shape.length !== 2 || c.shape[1] !== classes || (c.shape[0] !== n && c.shape[0] !== 1)) {
      throw new VaekitError('shape-mismatch', `'c.shape' must be [${n}, ${classes}] (one-hot rows); found ${Array.isArray(c.shape) ? `[${c.shape.join(', ')}]` : describeValue(c.shape)}`);
    }
    if (!(c.data instanceof Float32Array) || c.data.length !== c.shape[0] * classes) {
      throw new VaekitError('dtype-mismatch', `'c.data' must be a Float32Array of ${c.shape[0] * classes} values; found ${describeValue(c.data)}`);
    }
    const bad = c.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new VaekitError('non-finite', `'c.data' must be finite; found ${c.data[bad]} at flat index ${bad}`);
    if (c.shape[0] === n) return c.data;
    const out = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) out.set(c.data, i * classes);
    return out;
  }
  if (typeof c === 'object' && !Array.isArray(c) && !ArrayBuffer.isView(c)) {
    throw new VaekitError('invalid-argument', `'c' must be class indices or one-hot rows { data, shape }; found ${describeValue(c)}`);
  }
  const labels = typeof c === 'number' ? [c] : Array.from(c);
  if (labels.length !== n && labels.length !== 1) {
    throw new VaekitError('shape-mismatch', `'c' must hold 1 or ${n} class indices; found ${labels.length}`);
  }
  const out = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const label = labels.length === 1 ? labels[0]! : labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new VaekitError('invalid-argument', `'c' must hold class indices in [0, ${classes - 1}]; found ${label} at index ${i}`);
    }
    out[i * classes + label] = 1;
  }
  return out;
}
