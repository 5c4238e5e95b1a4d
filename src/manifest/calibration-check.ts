/**
 * Validation of the manifest's `calibration` record (schema.ts, ManifestCalibration): the grid `p`
 * rises strictly from 0 to 1, every quantile array has its length, holds finite numbers and never
 * decreases (a quantile curve), and the complexity-adjusted arrays come with their compressor.
 */
import { type Checker, type JsonObject, isCount, isNonEmptyString, isNumber, isObject, isPositiveInteger, joinPath } from './check.js';
import type { ManifestCalibration } from './schema.js';

const SCORES = ['negElbo', 'nll'] as const;
const ADJUSTED = ['negElboComplexity', 'nllComplexity'] as const;
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNumber);

/** The calibration record, null when absent, undefined (with problems recorded) when faulty. */
export function checkCalibration(c: Checker, root: JsonObject): ManifestCalibration | null | undefined {
  const value = root['calibration'];
  if (value == null) return null;
  const path = 'calibration';
  if (!isObject(value)) return c.fail(path, 'null, nothing, or {data, count, k, seed, quantiles}', value);
  const before = c.problems.length;
  const data = c.take(value, path, 'data', 'a non-empty string (the reference data)', isNonEmptyString);
  const count = c.take(value, path, 'count', 'an integer ≥ 1 (reference rows)', isPositiveInteger);
  const k = c.take(value, path, 'k', 'a positive integer (importance samples of the nll score)', isPositiveInteger);
  const seed = c.take(value, path, 'seed', 'an integer ≥ 0', isCount);
  const compressor = c.optional(value, path, 'compressor', 'a non-empty string (the complexity compressor)', isNonEmptyString, null);
  const q = c.take(value, path, 'quantiles', 'an object {p, negElbo, nll} of number arrays', isObject);
  if (!q) return undefined;
  const qPath = joinPath(path, 'quantiles');
  const p = c.array(q, qPath, 'p', 'an array of probabilities rising from 0 to 1', 'a finite number', isNumber);
  if (p) checkGrid(c, joinPath(qPath, 'p'), p);
  const arrays: Partial<Record<(typeof SCORES)[number] | (typeof ADJUSTED)[number], number[]>> = {};
  for (const key of [...SCORES, ...ADJUSTED]) {
    const required = (SCORES as readonly string[]).includes(key);
    if (!required && q[key] == null) continue;
    const curve = c.array(q, qPath, key, `an array of ${p?.length ?? 'p.length'} finite numbers (quantiles of ${key}, nats)`, 'a finite number', isNumber);
    if (!curve) continue;
    const at = joinPath(qPath, key);
    if (p && curve.length !== p.length) c.failWith(at, `as many quantiles as p has probabilities (${p.length})`, `${curve.length}`);
    const drop = curve.findIndex((v, i) => i > 0 && v < curve[i - 1]!);
    if (drop > 0) c.failWith(joinPath(at, drop), `a non-decreasing quantile curve (at least ${curve[drop - 1]})`, String(curve[drop]));
    arrays[key] = curve;
  }
  const adjusted = ADJUSTED.filter((key) => q[key] != null);
  if (adjusted.length > 0 && compressor === null) c.failWith(joinPath(path, 'compressor'), `the compressor of the ${adjusted.join(' and ')} quantiles`, 'nothing (the field is missing)');
  if (adjusted.length === 0 && typeof compressor === 'string') c.failWith(qPath, 'the complexity-adjusted quantiles (negElboComplexity, nllComplexity) of the compressor it names', 'none');
  if (c.problems.length > before || !p || !isNumberArray(q['negElbo']) || !isNumberArray(q['nll'])) return undefined;
  return {
    data: data!, count: count!, k: k!, seed: seed!,
    quantiles: { p: [...p], negElbo: [...arrays.negElbo!], nll: [...arrays.nll!], ...Object.fromEntries(adjusted.map((key) => [key, [...arrays[key]!]])) },
    ...(typeof compressor === 'string' ? { compressor } : {}),
  };
}

/** The probability grid: at least two points, 0 first, 1 last, strictly increasing. */
function checkGrid(c: Checker, path: string, p: number[]): void {
  if (p.length < 2) {
    c.failWith(path, 'at least 2 probabilities (0 and 1)', `${p.length}`);
    return;
  }
  if (p[0] !== 0) c.fail(joinPath(path, 0), '0 (the grid starts at probability 0)', p[0]);
  if (p[p.length - 1] !== 1) c.fail(joinPath(path, p.length - 1), '1 (the grid ends at probability 1)', p[p.length - 1]);
  const bad = p.findIndex((v, i) => i > 0 && !(v > p[i - 1]!));
  if (bad > 0) c.failWith(joinPath(path, bad), `a probability above the previous one (${p[bad - 1]})`, String(p[bad]));
}
