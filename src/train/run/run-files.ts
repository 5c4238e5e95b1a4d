/** The run folder's files as the trainer needs them: a write probe before training, the listing after. */
import { access, constants, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VaekitError } from '../../errors.js';

/** Creates `dir` if needed and proves it writable (a probe file, never over an existing one). */
export async function ensureWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const probe = join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, '', { flag: 'wx' }); // never over a file of that name
    await rm(probe);
  } catch (cause) {
    throw new VaekitError('io-error', `'out' must be a writable folder; cannot write to ${dir}: ${(cause as Error).message}`, { cause });
  }
}

/** Files of the run folder, relative to it, sorted (hidden files left out). */
export async function listRun(runDir: string): Promise<string[]> {
  const entries = await readdir(runDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(runDir.length + 1))
    .sort();
}

