import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FOLDER, foreignEntries, MODEL_FOLDER, removeOwnFolder, RUN_FOLDER } from '../../src/train/owned-entries.js';
import { fingerprint } from '../hostile/harness.js';

let root: string;
let count = 0;

async function folder(files: Record<string, string>): Promise<string> {
  const dir = join(root, `case-${count++}`);
  await mkdir(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaekit-owned-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('foreignEntries', () => {
  it('lists what vaekit does not write, at every depth, up to a limit; links are never vaekit\'s', async () => {
    const dir = await folder({ 'config.json': '{}', 'a.txt': '', 'model/encoder.json': '{}', 'model/extra.bin': '', 'checkpoints/epoch-0001/state.json': '{}', 'checkpoints/latest': '' });
    await symlink('config.json', join(dir, 'samples.png'));
    expect(await foreignEntries(dir, RUN_FOLDER)).toEqual(['a.txt', 'checkpoints/latest', 'model/extra.bin', 'samples.png']);
    expect(await foreignEntries(dir, RUN_FOLDER, 2)).toEqual(['a.txt', 'checkpoints/latest']);
  });
});

describe('removeOwnFolder', () => {
  it('removes a folder holding only vaekit\'s files', async () => {
    const dir = await folder({ 'vaekit.json': '{}', 'encoder.onnx': 'e', '.decoder.onnx.9.1.tmp': 'partial' });
    expect(await removeOwnFolder(dir, MODEL_FOLDER)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });

  it('removes only vaekit\'s files and keeps the folder when anything else is in it', async () => {
    const dir = await folder({ 'state.json': '{}', 'optimizer.bin': 'o', 'encoder.json': '{}', 'notes.txt': 'mine', 'sub/deep.txt': 'mine too' });
    expect(await removeOwnFolder(dir, CHECKPOINT_FOLDER)).toBe(false);
    expect(Object.keys(await fingerprint(dir)).sort()).toEqual(['.', 'notes.txt', 'sub', 'sub/deep.txt']);
  });

  it('a missing folder is already gone', async () => {
    expect(await removeOwnFolder(join(root, 'never'), MODEL_FOLDER)).toBe(true);
  });
});
