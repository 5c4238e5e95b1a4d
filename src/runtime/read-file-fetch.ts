/**
 * Reads a file with `fetch`: the browser adapter's `readFile`, and the Node adapter's for http(s)
 * URLs. Imports no `node:` module.
 */
import { VaekitError, describeValue } from '../errors.js';
import { abortedError, throwIfAborted } from './abort.js';
import type { ReadLimit, ReadOptions } from './backend.js';

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

/** Concatenates `chunks` (`size` bytes in all). */
function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === size) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads a response body chunk by chunk: refused as soon as it passes `limit` (a lying
 * Content-Length included), progress reported per chunk, stopped when `signal` aborts.
 */
async function readBody(location: string | URL, response: Response, options: ReadOptions): Promise<Uint8Array> {
  const { limit, onProgress, signal } = options;
  const announced = response.headers.get('content-length');
  const length = announced !== null && /^\d+$/.test(announced) && !response.headers.get('content-encoding') ? Number(announced) : null;
  if (length !== null) checkReadLimit(location, length, limit);
  const total = limit?.exact ? limit.bytes : length;
  let reported = -1;
  const report = (loaded: number) => {
    if (!onProgress || loaded === reported) return;
    reported = loaded;
    onProgress(loaded, Math.max(total ?? loaded, loaded));
  };
  // No progress wanted and a plain Content-Length (the body cannot be longer): read it whole.
  if (!response.body || (!onProgress && length !== null)) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    checkReadLimit(location, bytes.length, limit);
    report(bytes.length);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    if (signal?.aborted) {
      await reader.cancel().catch(() => undefined);
      throw abortedError(signal, `while reading ${describeLocation(location)}`);
    }
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (limit && size > limit.bytes) {
      await reader.cancel().catch(() => undefined);
      checkReadLimit(location, size, limit, true);
    }
    chunks.push(value);
    // The final call (loaded === total) waits for the size check below.
    if (size !== total) report(size);
  }
  checkReadLimit(location, size, limit);
  report(size);
  return concat(chunks, size);
}

/**
 * GETs `location` (any URL `fetch` accepts; relative strings resolve against the page) with
 * `options.fetch` (default the global fetch), reporting progress and honouring `signal`.
 */
export async function fetchBytes(location: string | URL, options: ReadOptions = {}): Promise<Uint8Array> {
  checkLocation(location);
  const { signal } = options;
  throwIfAborted(signal, `before reading ${describeLocation(location)}`);
  // A local, called without a receiver: a browser's fetch called as a method of `options` throws "Illegal invocation".
  const fetchFunction = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchFunction(location, signal ? { signal } : undefined);
  } catch (cause) {
    if (signal?.aborted) throw abortedError(signal, `while fetching ${describeLocation(location)}`);
    // undici says "fetch failed" and puts the reason (ECONNREFUSED, bad port, …) in `cause`.
    const error = cause instanceof Error ? cause : new Error(String(cause));
    const reason = error.message === 'fetch failed' && error.cause instanceof Error ? error.cause.message : error.message;
    throw new VaekitError('io-error', `could not read ${describeLocation(location)}: fetch failed: ${reason}`, { cause });
  }
  if (!(response instanceof Response) && typeof (response as Partial<Response> | null)?.ok !== 'boolean') {
    throw new VaekitError('invalid-argument', `'fetch' must return a Promise of a Response; found ${describeValue(response)} for ${describeLocation(location)}`);
  }
  if (!response.ok) {
    throw new VaekitError('io-error', `could not read ${describeLocation(location)}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  try {
    return await readBody(location, response, options);
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    if (signal?.aborted) throw abortedError(signal, `while reading ${describeLocation(location)}`);
    throw new VaekitError('io-error', `could not read ${describeLocation(location)}: the body failed: ${(cause as Error).message}`, { cause });
  }
}
