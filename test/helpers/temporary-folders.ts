import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * A temporary root for one test file (created before its tests, removed after them) and a maker
 * of fresh folders inside it, each holding `files` (relative path → text).
 */
export function temporaryFolders(prefix: string): { folder(files?: Record<string, string>): Promise<string>; root(): string } {
  let root = '';
  let count = 0;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  return {
    root: () => root,
    async folder(files = {}) {
      const dir = join(root, `case-${count++}`);
      await mkdir(dir, { recursive: true });
      for (const [path, text] of Object.entries(files)) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      return dir;
    },
  };
}
