import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/train/run/atomic-write.js';
import { appendFileSynced, makeDirectorySynced, syncDirectory, writeNewFileSynced } from '../../../src/train/run/durable-fs.js';
import { rejected } from '../../helpers/thrown.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaekit-durable-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('durable file writes', () => {
  it('writeNewFileSynced writes a new file and never one that exists', async () => {
    const path = join(root, 'new.bin');
    await writeNewFileSynced(path, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
    await expect(writeNewFileSynced(path, 'other')).rejects.toMatchObject({ code: 'EEXIST' });
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
  });

  it('appendFileSynced appends; makeDirectorySynced makes nested folders; syncDirectory accepts a folder', async () => {
    const dir = join(root, 'a/b/c');
    await makeDirectorySynced(dir);
    await makeDirectorySynced(dir); // already there
    await appendFileSynced(join(dir, 'log'), 'one\n');
    await appendFileSynced(join(dir, 'log'), 'two\n');
    expect(await readFile(join(dir, 'log'), 'utf8')).toBe('one\ntwo\n');
    await expect(syncDirectory(dir)).resolves.toBeUndefined();
  });

  it('writeFileAtomic replaces a file whole and leaves no temporary sibling, also on failure', async () => {
    const path = join(root, 'atomic.json');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    const inFile = await rejected(writeFileAtomic(join(path, 'below-a-file'), 'x'));
    expect(inFile.code).toBe('io-error');
    expect(inFile.message).toContain(`could not write ${join(path, 'below-a-file')}`);
    expect((await readdir(root)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
