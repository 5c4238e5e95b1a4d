/**
 * Reads a file with `fetch`: the browser adapter's `readFile`, and the Node adapter's for http(s)
 * URLs. Imports no `node:` module.
 */
import { VaekitError, describeValue } from '../errors.js';
import type { ReadLimit } from './backend.js';

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

/**
 * Throws `limit.code` when a file of `size` bytes breaks `limit`. `partial`: only part has been
 * read so far (a body still streaming), so only "too large" can be concluded.
 */
export function checkReadLimit(location: string | URL, size: number, limit: ReadLimit | undefined, partial = false): void {
  if (!limit) return;
  const tooLarge = size > limit.bytes;
  if (!tooLarge && (partial || !limit.exact || size === limit.bytes)) return;
  const expected = limit.exact ? `is ${limit.bytes} bytes` : `is at most ${limit.bytes} bytes`;
  const foundSize = partial ? `more than ${limit.bytes} bytes` : `${size} bytes`;
  const shorter = limit.exact && size < limit.bytes ? ' (shorter: an interrupted download?)' : '';
  throw new VaekitError(
    limit.code,
    `${limit.what} at ${describeLocation(location)} ${expected}; found ${foundSize}${shorter}, refused before reading it${limit.hint ? `: ${limit.hint}` : ''}`,
  );
}

/** Reads a response body, refusing it as soon as it passes `limit` (a lying Content-Length included). */
async function readBody(location: string | URL, response: Response, limit: ReadLimit | undefined): Promise<Uint8Array> {
  const announced = response.headers.get('content-length');
  const length = announced !== null && /^\d+$/.test(announced) && !response.headers.get('content-encoding') ? Number(announced) : null;
  if (length !== null) checkReadLimit(location, length, limit);
  // With a plain Content-Length the body cannot be longer (fetch stops there): read it whole.
  if (!limit || !response.body || length !== null) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    checkReadLimit(location, bytes.length, limit);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit.bytes) {
      await reader.cancel().catch(() => undefined);
      checkReadLimit(location, size, limit, true);
    }
    chunks.push(value);
  }
  checkReadLimit(location, size, limit);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** GETs `location` (any URL `fetch` accepts; relative strings resolve against the page). */
export async function fetchBytes(location: string | URL, options: { limit?: ReadLimit } = {}): Promise<Uint8Array> {
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
    return await readBody(location, response, options.limit);
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    throw new VaekitError('io-error', `could not read ${describeLocation(location)}: the body failed: ${(cause as Error).message}`, { cause });
  }
}
