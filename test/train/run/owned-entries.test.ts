import { existsSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FOLDER, foreignEntries, MODEL_FOLDER, removeOwnFolder, RUN_FOLDER } from '../../../src/train/run/owned-entries.js';
import { fingerprint } from '../../hostile/harness.js';
import { temporaryFolders } from '../../helpers/temporary-folders.js';

const temp = temporaryFolders('vaekit-owned-');
const folder = temp.folder;

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
    expect(await removeOwnFolder(join(temp.root(), 'never'), MODEL_FOLDER)).toBe(true);
  });
});
