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
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VaekitError } from '../errors.js';
import { MANIFEST_FORMAT } from '../manifest/schema.js';
import { nodeRuntime } from '../runtime/node-runtime.js';
import { TRITON_CONFIG_MARKER } from '../triton/model-config.js';
import { DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_QUEUE_DELAY_MICROSECONDS, TRITON_MANIFEST_PATH, tritonRepository, type TritonModel } from '../triton/repository.js';
import { checkReadModelOptions, readModel } from '../vae/load.js';
import { writeFileAtomic } from '../train/run/atomic-write.js';
import { type FolderVerdict, inspectOwnedFolder } from '../train/run/output-folder.js';
import type { FolderSpec } from '../train/run/owned-entries.js';
import { removeStaleStaging } from '../train/run/stale-staging.js';
import { type Files, swapInFolder } from '../train/run/write-model-folder.js';
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
export function inspectTritonRepository(path: string): Promise<FolderVerdict> {
  return inspectOwnedFolder(path, TRITON_REPOSITORY, isVaekitRepository);
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
  // Leftovers of killed runs (as for model folders); a courtesy: it never stops a write.
  await removeStaleStaging(target, TRITON_REPOSITORY, inspectTritonRepository).catch(() => undefined);
  const verdict = await inspectTritonRepository(target);
  if (verdict.kind === 'foreign') {
    if (!options.force || verdict.notAFolder || verdict.reason) throw refused(target, verdict);
    await writeInPlace(target, files);
    return { inPlace: true };
  }
  await swapInFolder(target, files, verdict.kind === 'vaekit', TRITON_REPOSITORY, 'the Triton model repository');
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
