/**
 * The kinds of value a run option takes, each defined once: what is valid (for library calls and
 * messages), how a command-line string becomes one, and how a value is written back as a flag.
 * The CLI's parsers, `resolveTrainConfig`'s checks and the model card's command line all use these.
 */
import { VaekitError } from '../../errors.js';

export interface ValueType<T> {
  /** What a valid value is, for messages: "a positive integer". */
  readonly expected: string;
  /** Is `value` (from a library call or a saved config) valid? */
  is(value: unknown): value is T;
  /** Reads a command-line string; returns undefined when it is not a valid value. */
  parse(text: string): T | undefined;
  /** Writes a value as it appears on the command line. */
  format(value: T): string;
  /** Choices, for a type that is one of a few strings (commander lists them). */
  readonly choices?: readonly string[];
}

const INTEGER = /^\s*\d+\s*$/;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const number = (text: string) => (text.trim() === '' ? undefined : Number(text));

function numeric(expected: string, ok: (n: number) => boolean, integer: boolean): ValueType<number> {
  const is = (v: unknown): v is number => isNumber(v) && (!integer || Number.isSafeInteger(v)) && ok(v);
  return {
    expected,
    is,
    parse: (text) => {
      if (integer && !INTEGER.test(text)) return undefined;
      const n = number(text);
      return is(n) ? n : undefined;
    },
    format: String,
  };
}

export const positiveInteger = numeric('a positive integer', (n) => n >= 1, true);
export const nonNegativeInteger = numeric('a non-negative integer', (n) => n >= 0, true);
export const positiveNumber = numeric('a positive number', (n) => n > 0, false);
export const nonNegativeNumber = numeric('a non-negative number', (n) => n >= 0, false);
export const finiteNumber = numeric('a finite number', () => true, false);
export const openFraction = numeric('a number between 0 and 1 (exclusive)', (n) => n > 0 && n < 1, false);

/** A non-empty string: a path, a column name. */
export const text: ValueType<string> = {
  expected: 'a non-empty string',
  is: (v): v is string => typeof v === 'string' && v.length > 0,
  parse: (t) => (t.length > 0 ? t : undefined),
  // Shell-safe words as they are; anything else quoted for a POSIX shell.
  format: (v) => (/^[\w./@:,=+-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`),
};

/** Comma-separated positive integers, e.g. layer sizes 512,256. */
export const integerList: ValueType<number[]> = {
  expected: 'comma-separated positive integers, e.g. 512,256',
  is: (v): v is number[] => Array.isArray(v) && v.length > 0 && v.every((n) => positiveInteger.is(n)),
  parse: (t) => {
    const parts = t.split(',');
    return parts.every((p) => INTEGER.test(p) && Number(p) >= 1) ? parts.map(Number) : undefined;
  },
  format: (v) => v.join(','),
};

/** Comma-separated names, e.g. CSV columns. */
export const nameList: ValueType<string[]> = {
  expected: 'comma-separated names, e.g. width,height',
  is: (v): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length > 0),
  parse: (t) => {
    const names = t.split(',').map((s) => s.trim());
    return names.every((s) => s.length > 0) ? names : undefined;
  },
  format: (v) => text.format(v.join(',')),
};

/** One of a few strings. */
export function oneOf<const C extends readonly string[]>(choices: C): ValueType<C[number]> {
  const is = (v: unknown): v is C[number] => typeof v === 'string' && choices.includes(v);
  return {
    expected: `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`,
    choices,
    is,
    parse: (t) => (is(t) ? t : undefined),
    format: (v) => v,
  };
}

/** Most data-parallel training threads: beyond this a batch's shards are too small to pay for their exchange. */
export const MAX_WORKERS = 64;

/** A thread count, or `auto` (resolved by `resolveTrainConfig` to the machine's available cores). */
export const workerCount: ValueType<number | 'auto'> = {
  expected: `a positive integer of at most ${MAX_WORKERS}, or "auto"`,
  is: (v): v is number | 'auto' => v === 'auto' || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= MAX_WORKERS),
  parse: (t) => (t.trim() === 'auto' ? 'auto' : INTEGER.test(t) && Number(t) >= 1 && Number(t) <= MAX_WORKERS ? Number(t) : undefined),
  format: String,
};

/** A switch: on the command line a flag without a value. */
export const flag: ValueType<boolean> = {
  expected: 'true or false',
  is: (v): v is boolean => typeof v === 'boolean',
  parse: () => true,
  format: () => '',
};

/** A found value for messages, short. */
export function describeFound(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

/** `value` when `type` accepts it; otherwise `invalid-argument` naming the library key. */
export function checkValue<T>(key: string, type: ValueType<T>, value: unknown): T {
  if (type.is(value)) return value;
  throw new VaekitError('invalid-argument', `'${key}' must be ${type.expected}; found ${describeFound(value)}`);
}
