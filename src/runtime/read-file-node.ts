/**
 * Reads a local file for the Node adapter — only a regular file, and only after its size (from
 * `fstat`) passes the caller's limit. A path that names a FIFO would block a read forever and a
 * device (`/dev/zero`) never ends, so both are refused before a byte is read; the file is opened
 * non-blocking so that even a FIFO swapped in after the check cannot hang the open.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { VaekitError, describeValue } from '../errors.js';
import type { ReadLimit } from './backend.js';
import { checkReadLimit, describeLocation } from './read-file-fetch.js';

function kind(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The bytes of the regular file at `path` (`location` is what the caller named, for messages). */
export async function readRegularFile(path: string, location: string | URL, limit?: ReadLimit): Promise<Uint8Array> {
  const where = location instanceof URL || path !== location ? ` (${describeValue(path)})` : '';
  const ioError = (cause: unknown) =>
    new VaekitError('io-error', `could not read ${describeLocation(location)}${where}: ${(cause as Error).message}`, { cause });
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
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // A file that shrank while being read is as incomplete as a truncated download.
    if (filled < bytes.length) checkReadLimit(location, filled, limit ?? { bytes: bytes.length, exact: true, code: 'io-error', what: 'the file' });
    return bytes.subarray(0, filled);
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    throw ioError(cause);
  } finally {
    await handle.close().catch(() => undefined);
  }
}
