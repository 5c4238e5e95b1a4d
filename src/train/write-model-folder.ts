import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VaekitError } from '../errors.js';

/**
 * Writes `files` as the folder `target`, all or nothing: into a temporary sibling first, then
 * swapped in by renames. Readers see the old complete folder or the new complete folder; a crash
 * leaves at worst a `.tmp` sibling, never a manifest beside graphs it does not describe.
 */
export async function writeFolderAtomic(target: string, files: Record<string, string | Uint8Array>): Promise<void> {
  const parent = dirname(target);
  const stamp = `${process.pid}-${Date.now()}`;
  const staging = join(parent, `.${basename(target)}.tmp-${stamp}`);
  const retired = join(parent, `.${basename(target)}.old-${stamp}`);
  try {
    await mkdir(staging, { recursive: true });
    for (const [name, data] of Object.entries(files)) await writeFile(join(staging, name), data);
    const existed = await rename(target, retired).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return false;
        throw e;
      },
    );
    try {
      await rename(staging, target);
    } catch (error) {
      if (existed) await rename(retired, target); // put the old model back
      throw error;
    }
    if (existed) await rm(retired, { recursive: true, force: true });
  } catch (cause) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw new VaekitError('io-error', `could not write the model folder ${target}: ${(cause as Error).message}`, { cause });
  }
}
