import { readdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type FolderVerdict, inspectModelFolder } from './output-folder.js';
import { type FolderSpec, MODEL_FOLDER, removeOwnFolder } from './owned-entries.js';
import { isStale, parseStagingName } from './staging-name.js';

/**
 * Cleans what killed exports into `target` left beside it: stale `.<name>.tmp-*` and
 * `.<name>.old-*` folders (see `isStale`), of which only vaekit's own files are removed. When a
 * kill fell between the two renames of a swap, `target` is missing and its retired model is
 * complete: that one is put back first, so the folder is again the old complete model.
 * Returns the names removed.
 */
export async function removeStaleStaging(
  target: string,
  spec: FolderSpec = MODEL_FOLDER,
  inspectFolder: (path: string) => Promise<FolderVerdict> = inspectModelFolder,
): Promise<string[]> {
  const parent = dirname(target);
  const base = basename(target);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const stale = names
    .map((name) => ({ name, staging: parseStagingName(name) }))
    .filter(({ staging }) => staging !== null && staging.base === base && isStale(staging))
    .sort((a, b) => b.staging!.time - a.staging!.time);
  const retired = stale.find(({ staging }) => staging!.role === 'old');
  if (retired && (await inspectFolder(target)).kind === 'missing' && (await inspectFolder(join(parent, retired.name))).kind === 'vaekit') {
    await rename(join(parent, retired.name), target);
    stale.splice(stale.indexOf(retired), 1);
  }
  const removed: string[] = [];
  for (const { name } of stale) {
    if (await removeOwnFolder(join(parent, name), spec)) removed.push(name);
  }
  return removed;
}
