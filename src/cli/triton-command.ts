/**
 * `vaekit triton MODEL --out DIR`: a model folder as an NVIDIA Triton model repository
 * (src/triton/repository.ts computes the files). The model is read and verified as `Vae.load`
 * reads it (manifest, sizes, SHA-256, external data, agreeing shapes) without opening a session.
 *
 * The repository is written like a model folder (README, "Export to ONNX"): --out must be
 * missing, empty, or a repository `vaekit triton` wrote; that one is staged in a sibling
 * `.<name>.tmp-<pid>-<ms>` and swapped in by renames, so Triton's polling sees the old
 * repository or the new one. Any other folder is refused (`refused-overwrite`) before reading
 * the model; `--force` writes vaekit's entries into it one by one, each atomically, the manifest last.
 */
import { Command } from 'commander';
import { lstat, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { VaekitError } from '../errors.js';
import { MANIFEST_FORMAT } from '../manifest/schema.js';
import { nodeRuntime } from '../runtime/node-runtime.js';
import { TRITON_CONFIG_MARKER } from '../triton/model-config.js';
import { DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_QUEUE_DELAY_MICROSECONDS, TRITON_MANIFEST_PATH, tritonRepository, type TritonModel } from '../triton/repository.js';
import { checkReadModelOptions, readModel } from '../vae/load.js';
import { writeFileAtomic } from '../train/run/atomic-write.js';
import { makeDirectorySynced, syncDirectory, writeNewFileSynced } from '../train/run/durable-fs.js';
import type { FolderVerdict } from '../train/run/output-folder.js';
import { foreignEntries, removeOwnFolder, type FolderSpec } from '../train/run/owned-entries.js';
import { isStale, parseStagingName, stagingName } from '../train/run/staging-name.js';
import { nonNegativeInteger, positiveInteger } from '../train/options/value-types.js';
import { parserFor } from './options.js';

/** What `vaekit triton` writes in a repository: vaekit.json, and `<name>-encoder/`, `<name>-decoder/` Triton models. */
export const TRITON_REPOSITORY: FolderSpec = {
  files: (name) => name === TRITON_MANIFEST_PATH,
  folders: [
    [
      /^[A-Za-z0-9_][A-Za-z0-9_.-]*-(encoder|decoder)$/,
      { files: (name) => name === 'config.pbtxt', folders: [[/^1$/, { files: (name) => name === 'model.onnx', folders: [] }]] },
    ],
  ],
};

/** Library keys in messages → the flags a CLI user typed. */
const FLAGS: Record<string, string> = { name: '--name', maxBatchSize: '--max-batch-size', maxQueueDelayMicroseconds: '--max-queue-delay', out: '--out' };
const SHOWN = 5;

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** A repository is vaekit's when its vaekit.json is a vaekit manifest and every config.pbtxt starts with vaekit's marker. */
async function isVaekitRepository(dir: string): Promise<boolean> {
  let manifest: unknown;
  try {
    manifest = JSON.parse((await readText(join(dir, TRITON_MANIFEST_PATH))) ?? 'null');
  } catch {
    return false;
  }
  if (typeof manifest !== 'object' || manifest === null || (manifest as { format?: unknown }).format !== MANIFEST_FORMAT) return false;
  const models = (await readdir(dir)).filter((name) => TRITON_REPOSITORY.folders[0]![0].test(name));
  for (const model of models) {
    if (!((await readText(join(dir, model, 'config.pbtxt'))) ?? '').startsWith(TRITON_CONFIG_MARKER)) return false;
  }
  return models.length > 0;
}

/** Whether `path` may receive a Triton repository (the rule of output-folder.ts, with this command's names). */
export async function inspectTritonRepository(path: string): Promise<FolderVerdict> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    throw error;
  }
  if (info.isSymbolicLink()) return { kind: 'foreign', entries: [], reason: 'is a symbolic link vaekit did not make' };
  if (!info.isDirectory()) return { kind: 'foreign', entries: [], reason: 'is a file, not a folder', notAFolder: true };
  const names = await readdir(path);
  if (names.length === 0) return { kind: 'empty' };
  const foreign = await foreignEntries(path, TRITON_REPOSITORY);
  if (foreign.length === 0 && (await isVaekitRepository(path))) return { kind: 'vaekit' };
  return { kind: 'foreign', entries: foreign.length ? foreign : names.sort() };
}

function refused(path: string, verdict: Extract<FolderVerdict, { kind: 'foreign' }>): VaekitError {
  const what = verdict.reason
    ? `${path} ${verdict.reason}`
    : `${path} holds ${verdict.entries.length === 1 ? 'an entry' : 'entries'} vaekit did not write: ${verdict.entries.slice(0, SHOWN).join(', ')}${
        verdict.entries.length > SHOWN ? ` and ${verdict.entries.length - SHOWN} more` : ''
      }`;
  const wayOut = verdict.notAFolder ? 'choose another folder' : 'choose another folder, move those files away, or use --force to write only vaekit’s own files there, leaving the others untouched';
  return new VaekitError(
    'refused-overwrite',
    `--out must be a new or empty folder, or a Triton model repository written by \`vaekit triton\`; ${what}. vaekit never deletes or overwrites files it did not write: ${wayOut}`,
  );
}

/** Cleans what killed runs into `target` left beside it (as removeStaleStaging does for model folders). */
async function removeStaleRepositories(target: string): Promise<void> {
  const parent = dirname(target);
  const stale = (await readdir(parent).catch(() => [] as string[]))
    .map((name) => ({ name, staging: parseStagingName(name) }))
    .filter(({ staging }) => staging !== null && staging.base === basename(target) && isStale(staging))
    .sort((a, b) => b.staging!.time - a.staging!.time);
  const retired = stale.find(({ staging }) => staging!.role === 'old');
  if (retired && (await inspectTritonRepository(target)).kind === 'missing' && (await inspectTritonRepository(join(parent, retired.name))).kind === 'vaekit') {
    await rename(join(parent, retired.name), target); // a kill between the two renames: the old repository comes back
    stale.splice(stale.indexOf(retired), 1);
  }
  for (const { name } of stale) await removeOwnFolder(join(parent, name), TRITON_REPOSITORY);
}

type Files = Record<string, string | Uint8Array>;

/** Stages `files` in a sibling and renames it over `target` (missing, empty, or vaekit's own repository). */
async function swapIn(target: string, files: Files, replacesOwn: boolean): Promise<void> {
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
    for (const [path, data] of Object.entries(files)) await writeNewFileSynced(join(staging, path), data);
    for (const folder of [...folders].reverse()) await syncDirectory(join(staging, folder));
    await syncDirectory(staging);
    await syncDirectory(parent);
    if (replacesOwn) await rename(target, retired);
    try {
      await rename(staging, target); // refused (ENOTEMPTY) if files appeared in an empty target meanwhile
    } catch (error) {
      if (replacesOwn) await rename(retired, target);
      throw error;
    }
    staged = false;
    await syncDirectory(parent);
    if (replacesOwn) await removeOwnFolder(retired, TRITON_REPOSITORY);
    await syncDirectory(parent);
  } catch (cause) {
    if (staged) await removeOwnFolder(staging, TRITON_REPOSITORY).catch(() => undefined);
    throw new VaekitError('io-error', `could not write the Triton model repository ${target}: ${(cause as Error).message}`, { cause });
  }
}

/** --force into a folder holding other files: vaekit's entries one by one, each atomically, the manifest last; never through a link. */
async function writeInPlace(target: string, files: Files): Promise<void> {
  const order = Object.keys(files).sort((a, b) => Number(a === TRITON_MANIFEST_PATH) - Number(b === TRITON_MANIFEST_PATH));
  for (const path of order) {
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = join(target, ...parts.slice(0, depth));
      const info = await lstat(folder).catch(() => null);
      if (info && (info.isSymbolicLink() || !info.isDirectory())) {
        throw new VaekitError('refused-overwrite', `${folder} is in the way of ${path}: it is not a folder vaekit can write into (${info.isSymbolicLink() ? 'a symbolic link' : 'a file'}); vaekit does not replace it: move it away or choose another folder`);
      }
    }
    await writeFileAtomic(join(target, path), files[path]!);
  }
}

/** Writes `files` as the repository `target` by the rule at the top of this file. */
export async function writeTritonRepository(target: string, files: Files, options: { force?: boolean } = {}): Promise<{ inPlace: boolean }> {
  await removeStaleRepositories(target).catch(() => undefined); // a courtesy: it never stops a write
  const verdict = await inspectTritonRepository(target);
  if (verdict.kind === 'foreign') {
    if (!options.force || verdict.notAFolder || verdict.reason) throw refused(target, verdict);
    await writeInPlace(target, files);
    return { inPlace: true };
  }
  await swapIn(target, files, verdict.kind === 'vaekit');
  return { inPlace: false };
}

interface TritonFlags {
  out: string;
  name?: string;
  maxBatchSize: number;
  maxQueueDelay: number;
  force?: boolean;
}

const describeModel = (model: TritonModel) => {
  const list = (tensors: TritonModel['inputs']) => tensors.map((t) => `${t.name} [${t.dims.join(', ')}]`).join(', ');
  return `${list(model.inputs)} → ${list(model.outputs)}  (max_batch_size ${model.maxBatchSize}${model.maxBatchSize === 0 ? ': the graph fixes its batch size' : ''})`;
};

export function tritonCommand(): Command {
  return new Command('triton')
    .description('Write a model folder as an NVIDIA Triton model repository: <name>-encoder and <name>-decoder (onnxruntime_onnx), and vaekit.json.')
    .argument('<model>', 'model folder (vaekit.json beside encoder.onnx and decoder.onnx), checked as Vae.load checks it')
    .requiredOption('--out <dir>', 'repository folder to write (missing, empty, or one `vaekit triton` wrote)')
    .option('--name <name>', "the Triton models' name prefix: <name>-encoder, <name>-decoder (default: the model's name)")
    .option('--max-batch-size <n>', 'max_batch_size of a graph with a symbolic batch dimension', parserFor(positiveInteger), DEFAULT_MAX_BATCH_SIZE)
    .option('--max-queue-delay <µs>', 'dynamic batching: max_queue_delay_microseconds', parserFor(nonNegativeInteger), DEFAULT_MAX_QUEUE_DELAY_MICROSECONDS)
    .option('--force', 'write into a folder that holds other files (only vaekit’s entries are replaced)')
    .addHelpText('after', '\nExample:\n  vaekit triton models/mnist-mlp --out triton-models\n  tritonserver --model-repository triton-models\n')
    .action(async (model: string, flags: TritonFlags) => {
      const out = resolve(flags.out);
      const force = flags.force ?? false;
      // Refuse a folder holding other files now, before reading the model.
      const verdict = await inspectTritonRepository(out);
      if (verdict.kind === 'foreign' && (!force || verdict.notAFolder || verdict.reason)) throw refused(out, verdict);
      try {
        const read = await readModel(resolve(model), nodeRuntime(), checkReadModelOptions({}), (message) => console.warn(message));
        const repository = tritonRepository({
          manifest: read.manifest,
          bytes: read.bytes,
          ...(flags.name !== undefined ? { name: flags.name } : {}),
          maxBatchSize: flags.maxBatchSize,
          maxQueueDelayMicroseconds: flags.maxQueueDelay,
        });
        const { inPlace } = await writeTritonRepository(out, repository.files, { force });
        const { encoder, decoder } = repository.models;
        const width = Math.max(encoder.name.length, decoder.name.length) + 1;
        console.log(`Triton model repository: ${out}${inPlace ? ' (--force: only vaekit’s entries written)' : ''}`);
        console.log(`  ${`${encoder.name}/`.padEnd(width)}  ${describeModel(encoder)}`);
        console.log(`  ${`${decoder.name}/`.padEnd(width)}  ${describeModel(decoder)}`);
        console.log(`  ${TRITON_MANIFEST_PATH.padEnd(width)}  the manifest, for SDK clients (Triton ignores files at the top level)`);
        console.log(`serve it: tritonserver --model-repository ${out}`);
      } catch (error) {
        if (!(error instanceof VaekitError)) throw error;
        const message = Object.entries(FLAGS).reduce((text, [key, flag]) => text.replaceAll(`'${key}'`, flag), error.message);
        throw new VaekitError(error.code, message, { cause: error });
      }
    });
}
