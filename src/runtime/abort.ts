/** Cancellation of reads and loads by an AbortSignal: one error, code `aborted`, for every path. */
import { VaekitError, describeValue } from '../errors.js';

/** Checks that `signal` (an option) is an AbortSignal or undefined. */
export function checkSignal(signal: unknown, name = 'signal'): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  const s = signal as Partial<AbortSignal> | null;
  if (typeof s !== 'object' || s === null || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function') {
    throw new VaekitError('invalid-argument', `'${name}' must be an AbortSignal (e.g. new AbortController().signal); found ${describeValue(signal)}`);
  }
  return signal as AbortSignal;
}

/** The `aborted` error: what was stopped, and the signal's reason when it has one. */
export function abortedError(signal: AbortSignal, what: string): VaekitError {
  const reason = signal.reason as unknown;
  const why = reason instanceof Error ? (reason.name === 'AbortError' ? '' : `: ${reason.message}`) : reason === undefined ? '' : `: ${String(reason)}`;
  return new VaekitError('aborted', `'signal' was aborted ${what}${why}`, { cause: reason });
}

/** Throws `aborted` when `signal` has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(signal, what);
}
