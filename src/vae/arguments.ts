/**
 * Argument checks of the Vae methods and the latent helpers: counts with their documented limits,
 * finite numbers, option objects. Each failure is a VaekitError naming the argument, what was
 * expected (the limit) and what was found.
 */
import { VaekitError, describeValue } from '../errors.js';

/**
 * Largest result held in memory: 2^28 float32 values (1 GiB) per returned tensor. Limits sample
 * `n`, interpolate `steps`, grid `rows × cols`, traverse `values` and the rows of decode's `z`.
 */
export const MAX_RESULT_FLOATS = 2 ** 28;
/** Largest `k` of logLikelihood: memory stays bounded whatever k is, but time grows with it. */
export const MAX_IMPORTANCE_SAMPLES = 1_000_000;
/** Largest logLikelihood `batchSize`: latent samples decoded per ONNX Runtime call. */
export const MAX_SCORING_BATCH = 65_536;
/**
 * Default logLikelihood `batchSize` (and elbo's examples per chunk). 2048 rows run as fast as
 * 8192 on the shipped model, and ONNX Runtime's buffers stay small: peak RSS is flat in k.
 */
export const DEFAULT_SCORING_BATCH = 2048;

/** How many rows of `floatsPerRow` values fit under MAX_RESULT_FLOATS. */
export function maxResultRows(floatsPerRow: number): number {
  return Math.max(1, Math.floor(MAX_RESULT_FLOATS / floatsPerRow));
}

/** Why a result count is limited, for messages: `each row holds 784 floats; results are limited to 2^28 floats`. */
export function resultLimitReason(floatsPerRow: number): string {
  return `each result row holds ${floatsPerRow} floats and a result is limited to 2^28 floats`;
}

/** An integer in [1, max]; `why` explains the limit in the message. */
export function checkCount(value: unknown, name: string, max: number, why: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new VaekitError('invalid-argument', `'${name}' must be an integer in [1, ${max}] (${why}); found ${describeValue(value)}`);
  }
  return value;
}

/** `options` of a method: undefined (→ {}) or an object. */
export function checkOptionsObject<T extends object>(options: T | undefined, name = 'options'): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new VaekitError('invalid-argument', `'${name}' must be an object; found ${describeValue(options)}`);
  }
  return options;
}

/** A number list (array or typed array) of 1 to `max` finite numbers; `non-finite` names the index. */
export function checkFiniteNumbers(values: unknown, name: string, max: number, why: string): ArrayLike<number> {
  const isList = Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array));
  if (!isList) throw new VaekitError('invalid-argument', `'${name}' must be an array of numbers; found ${describeValue(values)}`);
  const list = values as ArrayLike<unknown>;
  if (list.length < 1 || list.length > max) {
    throw new VaekitError('invalid-argument', `'${name}' must hold 1 to ${max} numbers (${why}); found ${list.length}`);
  }
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number') throw new VaekitError('dtype-mismatch', `'${name}[${i}]' must be a number; found ${describeValue(v)}`);
    if (!Number.isFinite(v)) throw new VaekitError('non-finite', `'${name}' must be finite; found ${v} at index ${i}`);
  }
  return list as ArrayLike<number>;
}

/** τ: a finite number whose float32 value is > 0 and finite (the sampler uses it as float32). */
export function checkTemperature(value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number') throw new VaekitError('invalid-argument', `'temperature' must be a number > 0; found ${describeValue(value)}`);
  if (!Number.isFinite(value)) throw new VaekitError('non-finite', `'temperature' must be finite; found ${value}`);
  const t32 = Math.fround(value);
  if (!(t32 > 0) || t32 === Infinity) {
    throw new VaekitError('invalid-argument', `'temperature' must be > 0 and at most 3.4e38 (float32); found ${value}`);
  }
  return value;
}

/** An optional callback. */
export function checkCallback(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new VaekitError('invalid-argument', `'${name}' must be a function; found ${describeValue(value)}`);
  }
}
