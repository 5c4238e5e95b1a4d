import { mkdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VaekitError } from '../../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { makeDirectorySynced, syncDirectory, writeNewFileSynced } from './durable-fs.js';
import { assertWritable, inspectModelFolder } from './output-folder.js';
import { MODEL_FOLDER, removeOwnFolder } from './owned-entries.js';
import { removeStaleStaging } from './stale-staging.js';
import { stagingName } from './staging-name.js';

export interface WriteModelFolderOptions {
  /** Write into a folder that holds files vaekit did not write: only vaekit's own entries are replaced. */
  force?: boolean;
}

type Files = Record<string, string | Uint8Array>;

/**
 * Writes `files` as the model folder `target`, which must be missing, empty or vaekit's own (see
 * output-folder.ts); any other folder is refused with `refused-overwrite`. The folder is staged
 * in a sibling and swapped in by renames: readers see the old complete folder or the new complete
 * one, and a crash leaves at worst a staging sibling that the next export cleans. With `force`, a
 * folder holding other files is never swapped (that would retire their files with it): vaekit's
 * entries are written one by one, each atomically, the manifest last (`inPlace: true`).
 */
export async function writeModelFolder(target: string, files: Files, options: WriteModelFolderOptions = {}): Promise<{ inPlace: boolean }> {
  try {
    await removeStaleStaging(target);
  } catch {
    // Cleaning leftovers is a courtesy: it never stops an export.
  }
  const verdict = await inspectModelFolder(target);
  assertWritable(`'out'`, target, 'model', verdict, options.force ?? false);
  if (verdict.kind === 'foreign') {
    await writeEntriesInPlace(target, files);
    return { inPlace: true };
  }
  await swapIn(target, files, verdict.kind === 'vaekit');
  return { inPlace: false };
}

async function writeEntriesInPlace(target: string, files: Files): Promise<void> {
  // The manifest names the graphs' hashes: it goes last, so it never describes graphs not yet there.
  const order = Object.keys(files).sort((a, b) => Number(a === 'vaekit.json') - Number(b === 'vaekit.json'));
  for (const name of order) await writeFileAtomic(join(target, name), files[name]!);
}

async function swapIn(target: string, files: Files, replacesOwnFolder: boolean): Promise<void> {
  const parent = dirname(target);
  const now = Date.now();
  const staging = join(parent, stagingName(basename(target), 'tmp', process.pid, now));
  const retired = join(parent, stagingName(basename(target), 'old', process.pid, now));
  let staged = false;
  try {
    await makeDirectorySynced(parent);
    await mkdir(staging); // not recursive: a folder already there is not ours to fill
    staged = true;
    for (const [name, data] of Object.entries(files)) await writeNewFileSynced(join(staging, name), data);
    await syncDirectory(staging);
    await syncDirectory(parent);
    if (replacesOwnFolder) await rename(target, retired);
    try {
      // Over a missing or empty target; rename refuses (ENOTEMPTY) if files appeared in it meanwhile.
      await rename(staging, target);
    } catch (error) {
      if (replacesOwnFolder) await rename(retired, target); // put the old model back
      throw error;
    }
    staged = false;
    await syncDirectory(parent);
    // Only vaekit's files: had anyone dropped a file in since the check, it stays in `retired`.
    if (replacesOwnFolder) await removeOwnFolder(retired, MODEL_FOLDER);
    await syncDirectory(parent);
  } catch (cause) {
    if (staged) await removeOwnFolder(staging, MODEL_FOLDER).catch(() => undefined);
    throw new VaekitError('io-error', `could not write the model folder ${target}: ${(cause as Error).message}`, { cause });
  }
}
