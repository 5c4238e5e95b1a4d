/**
 * Reads a file with `fetch`: the browser adapter's `readFile`, and the Node adapter's for http(s)
 * URLs. Imports no `node:` module.
 */
import { VaekitError, describeValue } from '../errors.js';

/** The location as a string for messages; a URL object prints its href. */
export function describeLocation(location: unknown): string {
  if (location instanceof URL) return JSON.stringify(location.href);
  return describeValue(location);
}

/** Checks that `location` is a non-empty string or a URL. */
export function checkLocation(location: unknown): asserts location is string | URL {
  if (!(location instanceof URL) && (typeof location !== 'string' || location.length === 0)) {
    throw new VaekitError('invalid-argument', `'location' must be a non-empty path string or a URL; found ${describeValue(location)}`);
  }
}

/** GETs `location` (any URL `fetch` accepts; relative strings resolve against the page). */
export async function fetchBytes(location: string | URL): Promise<Uint8Array> {
  checkLocation(location);
  let response: Response;
  try {
    response = await fetch(location);
  } catch (cause) {
    // undici says "fetch failed" and puts the reason (ECONNREFUSED, bad port, …) in `cause`.
    const error = cause instanceof Error ? cause : new Error(String(cause));
    const reason = error.message === 'fetch failed' && error.cause instanceof Error ? error.cause.message : error.message;
    throw new VaekitError('io-error', `could not read ${describeLocation(location)}: fetch failed: ${reason}`, { cause });
  }
  if (!response.ok) {
    throw new VaekitError('io-error', `could not read ${describeLocation(location)}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw new VaekitError('io-error', `could not read ${describeLocation(location)}: the body failed: ${(cause as Error).message}`, { cause });
  }
}
