import { VaekitError } from '../errors.js';
import { checkCount, checkFiniteNumbers, maxResultRows, MAX_RESULT_FLOATS, resultLimitReason } from './arguments.js';

function checkVector(v: unknown, name: string): void {
  checkFiniteNumbers(v, name, MAX_RESULT_FLOATS, 'one latent vector');
}

function checkPair(a: Float32Array, b: Float32Array, names = ['a', 'b']): void {
  checkVector(a, names[0]!);
  checkVector(b, names[1]!);
  if (a.length !== b.length) {
    throw new VaekitError('shape-mismatch', `'${names[0]}' and '${names[1]}' must be latent vectors of one size; found ${a.length} and ${b.length}`);
  }
}

/** Straight-line interpolation: `steps` points from a to b inclusive, [steps, J] row-major. */
export function lerp(a: Float32Array, b: Float32Array, steps: number): Float32Array {
  checkPair(a, b);
  const J = a.length;
  checkCount(steps, 'steps', maxResultRows(J), resultLimitReason(J));
  const out = new Float32Array(steps * J);
  for (let s = 0; s < steps; s++) {
    const t = steps === 1 ? 0 : s / (steps - 1);
    for (let j = 0; j < J; j++) out[s * J + j] = a[j]! + (b[j]! - a[j]!) * t;
  }
  return out;
}

/**
 * Spherical interpolation (slerp): keeps the norm profile of Gaussian latents, so midpoints do
 * not fall into the low-density centre the way lerp's do. Falls back to lerp for parallel vectors.
 */
export function slerp(a: Float32Array, b: Float32Array, steps: number): Float32Array {
  checkPair(a, b);
  const J = a.length;
  checkCount(steps, 'steps', maxResultRows(J), resultLimitReason(J));
  let dot = 0, na = 0, nb = 0;
  for (let j = 0; j < J; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! * a[j]!;
    nb += b[j]! * b[j]!;
  }
  const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb)));
  const omega = Math.acos(cos);
  if (!(Math.sin(omega) > 1e-6)) return lerp(a, b, steps);
  const out = new Float32Array(steps * J);
  for (let s = 0; s < steps; s++) {
    const t = steps === 1 ? 0 : s / (steps - 1);
    const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
    const wb = Math.sin(t * omega) / Math.sin(omega);
    for (let j = 0; j < J; j++) out[s * J + j] = wa * a[j]! + wb * b[j]!;
  }
  return out;
}

/** A rows × cols grid blending four corner latents bilinearly: [rows·cols, J], row-major. */
export function cornerGrid(corners: [Float32Array, Float32Array, Float32Array, Float32Array], rows: number, cols: number): Float32Array {
  if (!Array.isArray(corners) || corners.length !== 4) {
    throw new VaekitError('invalid-argument', `'corners' must be 4 latent vectors; found ${Array.isArray(corners) ? `${corners.length}` : typeof corners}`);
  }
  const [tl, tr, bl, br] = corners;
  [tr, bl, br].forEach((c, i) => checkPair(tl, c, ['corners[0]', `corners[${i + 1}]`]));
  const J = tl.length;
  const limit = maxResultRows(J);
  checkCount(rows, 'rows', limit, resultLimitReason(J));
  checkCount(cols, 'cols', limit, resultLimitReason(J));
  if (rows * cols > limit) {
    throw new VaekitError('invalid-argument', `'rows × cols' must be at most ${limit} (${resultLimitReason(J)}); found ${rows} × ${cols} = ${rows * cols}`);
  }
  const out = new Float32Array(rows * cols * J);
  for (let r = 0; r < rows; r++) {
    const v = rows === 1 ? 0 : r / (rows - 1);
    for (let c = 0; c < cols; c++) {
      const u = cols === 1 ? 0 : c / (cols - 1);
      for (let j = 0; j < J; j++) {
        const top = tl[j]! + (tr[j]! - tl[j]!) * u;
        const bottom = bl[j]! + (br[j]! - bl[j]!) * u;
        out[(r * cols + c) * J + j] = top + (bottom - top) * v;
      }
    }
  }
  return out;
}

/** Copies of `z` with dimension `dim` set to each of `values`: [values.length, J]. */
export function traverseLatent(z: Float32Array, dim: number, values: ArrayLike<number>): Float32Array {
  checkVector(z, 'z');
  checkFiniteNumbers(values, 'values', maxResultRows(z.length), resultLimitReason(z.length));
  if (!Number.isInteger(dim) || dim < 0 || dim >= z.length) {
    throw new VaekitError('invalid-argument', `'dim' must be an integer in [0, ${z.length - 1}]; found ${dim}`);
  }
  const J = z.length;
  const out = new Float32Array(values.length * J);
  for (let i = 0; i < values.length; i++) {
    out.set(z, i * J);
    out[i * J + dim] = values[i]!;
  }
  return out;
}
