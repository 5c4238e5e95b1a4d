import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ATOMIC_TEMP_FILE } from './atomic-write.js';
import { parseStagingName } from './staging-name.js';

/**
 * What vaekit writes in a folder: the names of its files, and its sub-folders with what they hold.
 * Anything else in such a folder is someone else's, and vaekit neither deletes nor overwrites it.
 */
export interface FolderSpec {
  /** Regular files vaekit writes here. */
  files: (name: string) => boolean;
  /** Sub-folders vaekit writes here, by name pattern. */
  folders: ReadonlyArray<readonly [RegExp, FolderSpec]>;
}

const oneOf = (...names: string[]) => (name: string) => names.includes(name);

/** A model folder: what `vaekit export` writes. */
export const MODEL_FOLDER: FolderSpec = {
  files: oneOf('encoder.onnx', 'decoder.onnx', 'vaekit.json', 'README.md', 'samples.png', 'reconstructions.png', 'latent-match.png'),
  folders: [],
};

const LAYERS_MODEL_FILE = /^(encoder|decoder|discriminator)\.(json|weights\.bin)$/;

/** `<run>/model`: the final tfjs models. */
const LAYERS_MODEL_FOLDER: FolderSpec = { files: (name) => LAYERS_MODEL_FILE.test(name), folders: [] };

/** `<run>/checkpoints/epoch-NNNN`: the models, Adam's state and `state.json`. */
export const CHECKPOINT_FOLDER: FolderSpec = {
  files: (name) => LAYERS_MODEL_FILE.test(name) || /^optimizer(-discriminator|-generator)?\.bin$/.test(name) || name === 'state.json',
  folders: [],
};

/** The name of a checkpoint folder in `<run>/checkpoints`. */
export const CHECKPOINT_FOLDER_NAME = /^epoch-\d{4,}$/;

/** A run folder: what `vaekit train` writes (`onnx/` is the model folder it exports at the end). */
export const RUN_FOLDER: FolderSpec = {
  files: (name) =>
    ['config.json', 'metrics.jsonl', 'checkpoint.json', 'loss-curve.png', 'samples.png', 'reconstructions.png', 'latent-match.png'].includes(name) ||
    /^\.write-test-\d+$/.test(name),
  folders: [
    [/^model$/, LAYERS_MODEL_FOLDER],
    [/^checkpoints$/, { files: () => false, folders: [[CHECKPOINT_FOLDER_NAME, CHECKPOINT_FOLDER]] }],
    [/^onnx$/, MODEL_FOLDER],
  ],
};

/** Whether `name` is a file vaekit writes under `spec`, or the temporary sibling of one (`writeFileAtomic`). */
function isOwnFile(spec: FolderSpec, name: string): boolean {
  const temp = ATOMIC_TEMP_FILE.exec(name);
  return spec.files(temp ? temp[1]! : name);
}

/** The spec of the sub-folder `name`, including the staged and retired siblings of one (`writeModelFolder`). */
function ownFolder(spec: FolderSpec, name: string): FolderSpec | undefined {
  const base = parseStagingName(name)?.base ?? name;
  return spec.folders.find(([pattern]) => pattern.test(base))?.[1];
}

/**
 * Entries under `dir` that vaekit does not write there, as paths relative to `dir` (at most
 * `limit`). Symbolic links and other special files are never vaekit's.
 */
export async function foreignEntries(dir: string, spec: FolderSpec, limit = 1000): Promise<string[]> {
  const found: string[] = [];
  async function walk(folder: string, folderSpec: FolderSpec, prefix: string): Promise<void> {
    for (const name of (await readdir(folder)).sort()) {
      if (found.length >= limit) return;
      const stat = await lstat(join(folder, name));
      const sub = stat.isDirectory() ? ownFolder(folderSpec, name) : undefined;
      if (sub) await walk(join(folder, name), sub, `${prefix}${name}/`);
      else if (!(stat.isFile() && isOwnFile(folderSpec, name))) found.push(`${prefix}${name}${stat.isDirectory() ? '/' : ''}`);
    }
  }
  await walk(dir, spec, '');
  return found;
}

/**
 * Removes what vaekit wrote in `dir` (its files and sub-folders, by `spec`), then `dir` itself if
 * that emptied it. Anything else stays, and so does the folder holding it. True when `dir` is gone.
 */
export async function removeOwnFolder(dir: string, spec: FolderSpec): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  for (const name of names) {
    const path = join(dir, name);
    const stat = await lstat(path);
    const sub = stat.isDirectory() ? ownFolder(spec, name) : undefined;
    if (sub) await removeOwnFolder(path, sub);
    else if (stat.isFile() && isOwnFile(spec, name)) await rm(path, { force: true });
  }
  try {
    await rmdir(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
