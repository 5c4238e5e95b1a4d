/**
 * Reads a local file for the Node adapter — only a regular file, and only after its size (from
 * `fstat`) passes the caller's limit. A path that names a FIFO would block a read forever and a
 * device (`/dev/zero`) never ends, so both are refused before a byte is read; the file is opened
 * non-blocking so that even a FIFO swapped in after the check cannot hang the open.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { VaekitError, describeValue } from '../errors.js';
import { throwIfAborted } from './abort.js';
import type { ReadOptions } from './backend.js';
import { checkLocation, checkReadLimit, describeLocation, fetchBytes } from './read-file-fetch.js';

function kind(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Bytes per read: progress is reported, and an abort is noticed, between chunks. */
export const READ_CHUNK_BYTES = 1 << 20;

/**
 * The bytes of the regular file at `path` (`location` is what the caller named, for messages),
 * read in chunks of READ_CHUNK_BYTES.
 */
export async function readRegularFile(path: string, location: string | URL, options: ReadOptions = {}): Promise<Uint8Array> {
  const { limit, onProgress, signal } = options;
  const where = location instanceof URL || path !== location ? ` (${describeValue(path)})` : '';
  const ioError = (cause: unknown) =>
    new VaekitError('io-error', `could not read ${describeLocation(location)}${where}: ${(cause as Error).message}`, { cause });
  const stopped = () => throwIfAborted(signal, `while reading ${describeLocation(location)}`);
  stopped();
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw ioError(cause);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new VaekitError('io-error', `could not read ${describeLocation(location)}${where}: it is ${kind(stat)}; vaekit reads model files only from regular files`);
    }
    checkReadLimit(location, stat.size, limit);
    const bytes = new Uint8Array(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      stopped();
      const { bytesRead } = await handle.read(bytes, filled, Math.min(READ_CHUNK_BYTES, bytes.length - filled), filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled < bytes.length) onProgress?.(filled, bytes.length);
    }
    // A file that shrank while being read is as incomplete as a truncated download.
    if (filled < bytes.length) checkReadLimit(location, filled, limit ?? { bytes: bytes.length, exact: true, code: 'io-error', what: 'the file' });
    stopped();
    onProgress?.(filled, filled);
    return bytes.subarray(0, filled);
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    throw ioError(cause);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The Node adapter's `readFile`: a path or file: URL is read from disk (regular files only), an
 * http(s), data: or blob: URL with `fetchBytes` (through `options.fetch` when given).
 */
export async function readLocalOrRemote(location: string | URL, options: ReadOptions = {}): Promise<Uint8Array> {
  checkLocation(location);
  let path: string;
  try {
    if (location instanceof URL) {
      if (location.protocol !== 'file:') return await fetchBytes(location, options);
      path = fileURLToPath(location);
    } else if (/^file:/i.test(location)) {
      path = fileURLToPath(location);
    } else if (/^(?:https?|data|blob):/i.test(location)) {
      return await fetchBytes(location, options);
    } else {
      path = location;
    }
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    throw new VaekitError('io-error', `could not read ${describeLocation(location)}: ${(cause as Error).message}`, { cause });
  }
  return readRegularFile(path, location, options);
}
