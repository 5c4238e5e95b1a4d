import { expect } from 'vitest';
import { VaekitError } from '../../src/errors.js';

/** Runs `fn`, asserts it throws a VaekitError and returns it, so tests can check code and message. */
export function thrown(fn: () => unknown): VaekitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VaekitError);
    return e as VaekitError;
  }
  throw new Error('expected a throw');
}

/** Awaits `promise`, asserts it rejects with a VaekitError and returns it. */
export async function rejected(promise: Promise<unknown>): Promise<VaekitError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaekitError);
  return error as VaekitError;
}
