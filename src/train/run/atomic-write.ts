import { rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { VaekitError } from '../../errors.js';
import { makeDirectorySynced, syncDirectory, writeNewFileSynced } from './durable-fs.js';

let counter = 0;

/** The temporary sibling `writeFileAtomic` writes first: `.<name>.<pid>.<n>.tmp`. */
export const ATOMIC_TEMP_FILE = /^\.(.+)\.(\d+)\.\d+\.tmp$/;

/**
 * Writes `data` to `path` so that readers see either the old file or the complete new one, never
 * a partial write, even after a crash or a power cut: the bytes go to a new temporary sibling,
 * which is flushed, then renamed over `path`; the folder is flushed before and after the rename.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  let written = false;
  try {
    await makeDirectorySynced(dir);
    await writeNewFileSynced(tmp, data);
    written = true;
    await syncDirectory(dir);
    await rename(tmp, path);
    await syncDirectory(dir);
  } catch (cause) {
    // Only our own complete temporary file is removed; a file already bearing its name is not ours.
    if (written) await rm(tmp, { force: true }).catch(() => undefined);
    throw new VaekitError('io-error', `could not write ${path}: ${(cause as Error).message}`, { cause });
  }
}
