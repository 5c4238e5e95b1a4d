import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { VaekitError } from '../errors.js';

let counter = 0;

/**
 * Writes `data` to `path` so that readers see either the old file or the complete new one, never
 * a partial write: the bytes go to a temporary sibling first, which is then renamed over `path`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new VaekitError('io-error', `could not write ${path}: ${(cause as Error).message}`, { cause });
  }
}
