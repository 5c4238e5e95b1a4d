/**
 * The rule that keeps vaekit from destroying other people's files: it writes into an output
 * folder only when the folder is missing, empty, or vaekit's own.
 *
 * - A model folder is vaekit's when it holds a `vaekit.json` whose `producer.name` is "vaekit"
 *   and every entry is a regular file vaekit writes there (MODEL_FOLDER: encoder.onnx,
 *   decoder.onnx, vaekit.json, README.md, samples.png, reconstructions.png, latent-match.png).
 * - A run folder is vaekit's when it holds a `config.json` that is a vaekit training
 *   configuration (an object with `data`, `seed`, `epochs`, `architecture` and `likelihood`) and
 *   every entry, at every depth, is one vaekit writes there (RUN_FOLDER: config.json,
 *   metrics.jsonl, checkpoint.json, the pictures, model/, checkpoints/epoch-NNNN/), and its
 *   onnx/, if any, is empty or a model folder vaekit wrote.
 * Temporary names of vaekit's atomic writes count as its own. Any other non-empty target is
 * refused with `refused-overwrite`; `force` lets vaekit write its own entries beside the others.
 */
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VaekitError } from '../../errors.js';
import { foreignEntries, MODEL_FOLDER, RUN_FOLDER, type FolderSpec } from './owned-entries.js';

export type FolderVerdict =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'vaekit' }
  /** `entries`: what vaekit did not write (a few, relative paths); `reason` when the target itself is the problem. */
  | { kind: 'foreign'; entries: string[]; reason?: string; notAFolder?: boolean };

const FOLDER_KINDS = { model: 'a model folder written by `vaekit export`', run: 'a run folder written by `vaekit train`' };

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

async function isVaekitManifest(folder: string): Promise<boolean> {
  const manifest = await readJson(join(folder, 'vaekit.json'));
  return isObject(manifest) && isObject(manifest['producer']) && manifest['producer']['name'] === 'vaekit';
}

async function isVaekitRunConfig(folder: string): Promise<boolean> {
  const config = await readJson(join(folder, 'config.json'));
  return (
    isObject(config) && typeof config['data'] === 'string' && typeof config['seed'] === 'number' &&
    typeof config['epochs'] === 'number' && isObject(config['architecture']) && isObject(config['likelihood'])
  );
}

/**
 * Whether `path` may receive a folder whose entries `spec` describes and that `identified` tells
 * as vaekit's (its manifest, configuration…): the rule at the top of this file, for any such folder.
 */
export async function inspectOwnedFolder(path: string, spec: FolderSpec, identified: (folder: string) => Promise<boolean>, followLinks = false): Promise<FolderVerdict> {
  let info;
  try {
    info = followLinks ? await stat(path) : await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    throw error;
  }
  // A model folder is replaced by renames: through a link that would replace the link itself.
  if (info.isSymbolicLink()) return { kind: 'foreign', entries: [], reason: 'is a symbolic link vaekit did not make' };
  if (!info.isDirectory()) return { kind: 'foreign', entries: [], reason: 'is a file, not a folder', notAFolder: true };
  const names = await readdir(path);
  if (names.length === 0) return { kind: 'empty' };
  const foreign = await foreignEntries(path, spec);
  if (foreign.length === 0 && (await identified(path))) return { kind: 'vaekit' };
  // Names alone do not make a folder vaekit's: without its manifest or configuration, nothing in it is.
  return { kind: 'foreign', entries: foreign.length ? foreign : names.sort() };
}

/** Whether `path` may receive a model folder: see the rule at the top of this file. */
export function inspectModelFolder(path: string): Promise<FolderVerdict> {
  return inspectOwnedFolder(path, MODEL_FOLDER, isVaekitManifest, false);
}

/** Whether `path` may receive a training run: see the rule at the top of this file. */
export async function inspectRunFolder(path: string): Promise<FolderVerdict> {
  const verdict = await inspectOwnedFolder(path, RUN_FOLDER, isVaekitRunConfig, true);
  if (verdict.kind !== 'vaekit') return verdict;
  // onnx/ holds only a model folder's names by now; it must also be one vaekit wrote (its manifest).
  const onnx = await inspectModelFolder(join(path, 'onnx'));
  return onnx.kind === 'foreign' ? { kind: 'foreign', entries: onnx.entries.map((entry) => `onnx/${entry}`) } : verdict;
}

const SHOWN = 5;

/**
 * The `refused-overwrite` error for a foreign target, naming a few of its entries and the ways
 * out. `argument` names what the caller gave, e.g. `'out'`.
 */
export function refusedOverwrite(argument: string, path: string, kind: 'model' | 'run', verdict: Extract<FolderVerdict, { kind: 'foreign' }>): VaekitError {
  const expected = `${argument} must be a new or empty folder, or ${FOLDER_KINDS[kind]}`;
  if (verdict.notAFolder) {
    return new VaekitError('refused-overwrite', `${expected}; ${path} ${verdict.reason}. vaekit does not replace it: choose another folder`);
  }
  const what = verdict.reason
    ? `${path} ${verdict.reason}`
    : `${path} holds ${verdict.entries.length === 1 ? 'an entry' : 'entries'} vaekit did not write: ${verdict.entries.slice(0, SHOWN).join(', ')}${
        verdict.entries.length > SHOWN ? ` and ${verdict.entries.length - SHOWN} more` : ''
      }`;
  return new VaekitError(
    'refused-overwrite',
    `${expected}; ${what}. vaekit never deletes or overwrites files it did not write: choose another folder, ` +
      `move those files away, or use the 'force' option to write only vaekit's own files there, leaving the others untouched`,
  );
}

/**
 * Throws `refused-overwrite` unless `verdict` lets vaekit write there: missing, empty and vaekit's
 * own targets always; a foreign folder only with `force` (never a file in place of a folder).
 */
export function assertWritable(argument: string, path: string, kind: 'model' | 'run', verdict: FolderVerdict, force: boolean): void {
  if (verdict.kind !== 'foreign') return;
  if (force && !verdict.notAFolder) return;
  throw refusedOverwrite(argument, path, kind, verdict);
}
