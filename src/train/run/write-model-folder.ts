import { mkdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VaekitError } from '../../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { makeDirectorySynced, syncDirectory, writeNewFileSynced } from './durable-fs.js';
import { assertWritable, inspectModelFolder } from './output-folder.js';
import { type FolderSpec, MODEL_FOLDER, removeOwnFolder } from './owned-entries.js';
import { removeStaleStaging } from './stale-staging.js';
import { stagingName } from './staging-name.js';

export interface WriteModelFolderOptions {
  /** Write into a folder that holds files vaekit did not write: only vaekit's own entries are replaced. */
  force?: boolean;
}

export type Files = Record<string, string | Uint8Array>;

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
  await swapInFolder(target, files, verdict.kind === 'vaekit', MODEL_FOLDER, 'the model folder');
  return { inPlace: false };
}

async function writeEntriesInPlace(target: string, files: Files): Promise<void> {
  // The manifest names the graphs' hashes: it goes last, so it never describes graphs not yet there.
  const order = Object.keys(files).sort((a, b) => Number(a === 'vaekit.json') - Number(b === 'vaekit.json'));
  for (const name of order) await writeFileAtomic(join(target, name), files[name]!);
}

/**
 * Stages `files` (paths relative to `target`, sub-folders allowed) in a sibling and renames it over
 * `target` — missing, empty, or vaekit's own folder of `spec` (then retired, and only vaekit's
 * entries of it removed). `what` names the folder in an io-error, e.g. "the model folder".
 */
export async function swapInFolder(target: string, files: Files, replacesOwnFolder: boolean, spec: FolderSpec, what: string): Promise<void> {
  const parent = dirname(target);
  const now = Date.now();
  const staging = join(parent, stagingName(basename(target), 'tmp', process.pid, now));
  const retired = join(parent, stagingName(basename(target), 'old', process.pid, now));
  let staged = false;
  try {
    await makeDirectorySynced(parent);
    await mkdir(staging); // not recursive: a folder already there is not ours to fill
    staged = true;
    const folders = [...new Set(Object.keys(files).map((path) => dirname(path)).filter((d) => d !== '.'))].sort();
    for (const folder of folders) await mkdir(join(staging, folder), { recursive: true });
    for (const [name, data] of Object.entries(files)) await writeNewFileSynced(join(staging, name), data);
    for (const folder of [...folders].reverse()) await syncDirectory(join(staging, folder));
    await syncDirectory(staging);
    await syncDirectory(parent);
    if (replacesOwnFolder) await rename(target, retired);
    try {
      // Over a missing or empty target; rename refuses (ENOTEMPTY) if files appeared in it meanwhile.
      await rename(staging, target);
    } catch (error) {
      if (replacesOwnFolder) await rename(retired, target); // put the old folder back
      throw error;
    }
    staged = false;
    await syncDirectory(parent);
    // Only vaekit's files: had anyone dropped a file in since the check, it stays in `retired`.
    if (replacesOwnFolder) await removeOwnFolder(retired, spec);
    await syncDirectory(parent);
  } catch (cause) {
    if (staged) await removeOwnFolder(staging, spec).catch(() => undefined);
    throw new VaekitError('io-error', `could not write ${what} ${target}: ${(cause as Error).message}`, { cause });
  }
}
