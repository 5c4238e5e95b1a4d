import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Flushes a folder's entries (names created, renamed or removed in it) to the disk, as a database
 * does after a rename. Some platforms cannot fsync a folder (EISDIR, EINVAL, EPERM on Windows):
 * there the rename is as durable as the platform makes it.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes `data` to a file that must not exist yet (`wx`: never clobbers anything) and flushes it
 * to the disk before returning. A failed write removes the partial file it created, nothing else.
 */
export async function writeNewFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(path, { force: true }).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

/** Appends `data` to `path` and flushes it to the disk (metrics.jsonl lines survive a power cut). */
export async function appendFileSynced(path: string, data: string): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `mkdir -p` whose new folders are durable: each parent of a created folder is synced. */
export async function makeDirectorySynced(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let created = dir; ; created = dirname(created)) {
    await syncDirectory(dirname(created));
    if (created === first || dirname(created) === created) break;
  }
}
