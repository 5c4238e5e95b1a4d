/**
 * Argument checks of the sampler's public functions. Each failure is a `VaekitError` with code
 * 'invalid-argument' and a message naming the argument, what was expected and what was found, so
 * a caller in any runtime sees the same text.
 */
import { VaekitError, describeValue } from '../errors.js';

/** Largest seed and the end of every stream: indices are integers in [0, 2^53). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;
export const STREAM_LENGTH = 9007199254740992; // 2^53

function fail(name: string, expected: string, found: unknown): never {
  throw new VaekitError('invalid-argument', `'${name}' must be ${expected}; found ${describeValue(found)}`);
}

export function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    fail('seed', 'an integer in [0, 2^53-1]', seed);
  }
  return seed;
}

export function checkStream(stream: unknown): number {
  if (stream === undefined) return 0;
  if (typeof stream !== 'number' || !Number.isInteger(stream) || stream < 0 || stream > 0xffffffff) {
    fail('stream', 'an integer in [0, 2^32-1]', stream);
  }
  return stream;
}

/** An offset such that `count` values starting there stay inside the stream ([0, 2^53)). */
export function checkOffset(offset: unknown, count: number, name = 'offset'): number {
  if (offset === undefined) offset = 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > STREAM_LENGTH - count) {
    fail(name, count > 0 ? `an integer in [0, 2^53-${count}] for ${count} values` : 'an integer in [0, 2^53]', offset);
  }
  return offset;
}

/** A count of values: a safe integer ≥ min (default 0). */
export function checkCount(count: unknown, name: string, min = 0): number {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < min) {
    fail(name, min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`, count);
  }
  return count;
}

/** A temperature whose float32 value is positive and finite; returns that float32 value. */
export function checkTemperature(temperature: unknown): number {
  if (temperature === undefined) return 1;
  const t32 = typeof temperature === 'number' ? Math.fround(temperature) : NaN;
  if (!(t32 > 0) || t32 === Infinity) fail('temperature', 'a finite number > 0 (as float32)', temperature);
  return t32;
}

export function checkOptions(options: unknown, name = 'options'): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) fail(name, 'an object with a seed', options);
  return options as Record<string, unknown>;
}

export function checkArray<T>(value: unknown, type: abstract new (...args: never[]) => T, name: string): T {
  if (!(value instanceof type)) fail(name, `a ${type.name}`, value);
  return value;
}

/** The stream position a fill of `count` values starts at: `options` checked as { seed, stream?, offset? }. */
export function checkStreamPosition(options: unknown, count: number): { seed: number; stream: number; offset: number } {
  const o = checkOptions(options);
  return { seed: checkSeed(o['seed']), stream: checkStream(o['stream']), offset: checkOffset(o['offset'], count) };
}

export function checkLength(value: ArrayLike<unknown>, expected: number, name: string, reason: string): void {
  if (value.length !== expected) fail(name, `of length ${expected} (${reason})`, value);
}
