/**
 * The bookkeeping of manifest validation: every problem is collected with its JSON path, what was
 * expected and what was found, so one error lists them all.
 */
import { describeValue } from '../errors.js';

/** One defect of a manifest. `path` is the JSON path, e.g. `graphs.decoder.outputs`. */
export interface ManifestProblem {
  path: string;
  expected: string;
  found: string;
}

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isPositiveInteger = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
export const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
export const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** A found value for a message: short JSON (a SHA-256 included) as is, anything longer summarised. */
export function found(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const json = JSON.stringify(value);
  if (json !== undefined && json.length <= 80) return json;
  if (isObject(value)) {
    const keys = Object.keys(value);
    return `an object with keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`;
  }
  if (typeof value === 'string') return `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)`;
  return describeValue(value);
}

export const joinPath = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

export class Checker {
  readonly problems: ManifestProblem[] = [];

  /** Records a problem; returns undefined so callers can `return c.fail(…)`. */
  fail(path: string, expected: string, value: unknown): undefined {
    this.problems.push({ path, expected, found: found(value) });
    return undefined;
  }

  /** Like `fail` with a found text written by the caller. */
  failWith(path: string, expected: string, foundText: string): undefined {
    this.problems.push({ path, expected, found: foundText });
    return undefined;
  }

  /** `obj[key]` when it passes `ok`; otherwise a problem and undefined. */
  take<T>(obj: JsonObject, path: string, key: string, expected: string, ok: (v: unknown) => v is T): T | undefined {
    const value = obj[key];
    return ok(value) ? value : this.fail(joinPath(path, key), expected, value);
  }

  /** Like `take`, but an absent or null field gives `fallback`. */
  optional<T, D>(obj: JsonObject, path: string, key: string, expected: string, ok: (v: unknown) => v is T, fallback: D): T | D | undefined {
    return obj[key] == null ? fallback : this.take(obj, path, key, expected, ok);
  }

  /** One of `choices` (strings). */
  oneOf<T extends string>(obj: JsonObject, path: string, key: string, choices: readonly T[]): T | undefined {
    const expected = choices.length === 1 ? JSON.stringify(choices[0]) : `one of ${choices.map((s) => JSON.stringify(s)).join(', ')}`;
    return this.take(obj, path, key, expected, (v): v is T => choices.includes(v as T));
  }

  /** An array whose every element passes `ok`, with each bad element reported at its index. */
  array<T>(obj: JsonObject, path: string, key: string, expected: string, element: string, ok: (v: unknown) => v is T): T[] | undefined {
    const value = obj[key];
    const at = joinPath(path, key);
    if (!Array.isArray(value)) return this.fail(at, expected, value);
    const bad = value.flatMap((v, i) => (ok(v) ? [] : [i]));
    // A long array (per-feature scaling) may be wrong everywhere: name the first few.
    for (const i of bad.slice(0, 3)) this.fail(joinPath(at, i), element, value[i]);
    if (bad.length > 3) this.failWith(at, `${element} in every element`, `${bad.length - 3} more bad elements`);
    return bad.length === 0 ? (value as T[]) : undefined;
  }
}
