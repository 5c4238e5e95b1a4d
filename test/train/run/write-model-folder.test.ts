import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeModelFolder } from '../../../src/train/run/write-model-folder.js';
import { removeStaleStaging } from '../../../src/train/run/stale-staging.js';
import { fingerprint } from '../../hostile/harness.js';
import { rejected } from '../../helpers/thrown.js';
import { temporaryFolders } from '../../helpers/temporary-folders.js';

const temp = temporaryFolders('vaekit-model-folder-');
const parent = temp.folder;

const manifest = (version: string) => JSON.stringify({ format: 'vaekit/1', producer: { name: 'vaekit', version } });
const model = (version: string) => ({ 'vaekit.json': manifest(version), 'encoder.onnx': `enc ${version}`, 'decoder.onnx': `dec ${version}`, 'README.md': `card ${version}` });

const prefixed = (files: Record<string, string>, prefix: string) => Object.fromEntries(Object.entries(files).map(([k, v]) => [`${prefix}/${k}`, v]));

describe('writeModelFolder', () => {
  it('creates a missing folder and fills an empty one, leaving nothing staged', async () => {
    const dir = await parent({ 'empty/.keep-out': '' });
    await rm(join(dir, 'empty/.keep-out'));
    expect(await writeModelFolder(join(dir, 'new'), model('1'))).toEqual({ inPlace: false });
    expect(await writeModelFolder(join(dir, 'empty'), model('1'))).toEqual({ inPlace: false });
    expect((await readdir(dir)).sort()).toEqual(['empty', 'new']);
    expect(await readFile(join(dir, 'empty/encoder.onnx'), 'utf8')).toBe('enc 1');
  });

  it("replaces vaekit's own folder as a whole: a new folder renamed in, the old one gone", async () => {
    const dir = await parent(prefixed({ ...model('1'), 'samples.png': 'old picture' }, 'm'));
    const inode = (await stat(join(dir, 'm'))).ino;
    expect(await writeModelFolder(join(dir, 'm'), model('2'))).toEqual({ inPlace: false });
    expect((await stat(join(dir, 'm'))).ino).not.toBe(inode);
    expect((await readdir(join(dir, 'm'))).sort()).toEqual(['README.md', 'decoder.onnx', 'encoder.onnx', 'vaekit.json']);
    expect(await readdir(dir)).toEqual(['m']);
  });

  it('refuses a folder holding files vaekit did not write (issue 10: --out . in a foreign folder); nothing changes', async () => {
    const dir = await parent({ 'S/important.txt': 'x\n' });
    const before = await fingerprint(dir);
    const error = await rejected(writeModelFolder(join(dir, 'S'), model('1')));
    expect(error.code).toBe('refused-overwrite');
    expect(error.message).toContain(`${join(dir, 'S')} holds an entry vaekit did not write: important.txt`);
    expect(await fingerprint(dir)).toEqual(before);
  });

  it("with force writes vaekit's entries one by one into the folder; every other file stays byte-identical", async () => {
    const dir = await parent({ 'S/important.txt': 'x\n', 'S/README.md': 'my notes', 'S/sub/data.bin': 'd' });
    const inode = (await stat(join(dir, 'S'))).ino;
    const before = await fingerprint(dir);
    expect(await writeModelFolder(join(dir, 'S'), model('1'), { force: true })).toEqual({ inPlace: true });
    const after = await fingerprint(dir);
    for (const path of ['S/important.txt', 'S/sub', 'S/sub/data.bin']) expect(after[path], path).toBe(before[path]);
    expect(await readFile(join(dir, 'S/README.md'), 'utf8')).toBe('card 1');
    expect((await stat(join(dir, 'S'))).ino).toBe(inode);
    expect(Object.keys(after).filter((p) => p.includes('.tmp'))).toEqual([]);
  });

  it('refuses a file where the folder should be, even with force', async () => {
    const dir = await parent({ model: 'a file' });
    const before = await fingerprint(dir);
    expect((await rejected(writeModelFolder(join(dir, 'model'), model('1'), { force: true }))).code).toBe('refused-overwrite');
    expect(await fingerprint(dir)).toEqual(before);
  });
});

describe('stale staging of killed exports (issue 10)', () => {
  const ended = () => spawnSync(process.execPath, ['-e', '']).pid!;

  it("the next export removes stale .<name>.tmp-* and .<name>.old-* beside it; a live writer's, another target's and foreign files stay", async () => {
    const now = Date.now();
    const stale = [`.m.tmp-${ended()}-${now}`, `.m.old-${process.pid}-${now - 11 * 60_000}`];
    const withForeign = `.m.old-${ended()}-${now}`;
    const kept = [`.m.tmp-${process.pid}-${now}`, `.other.tmp-${ended()}-${now}`, withForeign];
    const dir = await parent({
      ...prefixed(model('1'), 'm'),
      ...Object.fromEntries([...stale, ...kept].map((name) => [`${name}/encoder.onnx`, 'partial'])),
      [`${withForeign}/thesis.pdf`]: "not vaekit's",
    });
    await writeModelFolder(join(dir, 'm'), model('2'));
    expect((await readdir(dir)).filter((name) => name.startsWith('.')).sort()).toEqual([...kept].sort());
    // The stale folder holding a foreign file lost only vaekit's file.
    expect(await readdir(join(dir, withForeign))).toEqual(['thesis.pdf']);
  });

  it('a kill between the two renames left no folder: the complete retired model is put back', async () => {
    const now = Date.now();
    const dir = await parent({ ...prefixed(model('1'), `.m.old-${ended()}-${now}`), ...prefixed(model('2'), `.m.tmp-${ended()}-${now}`) });
    expect(existsSync(join(dir, 'm'))).toBe(false);
    await removeStaleStaging(join(dir, 'm'));
    expect(await readdir(dir)).toEqual(['m']);
    expect(await readFile(join(dir, 'm/vaekit.json'), 'utf8')).toBe(manifest('1'));
  });
});
