import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VaekitError } from '../../../src/errors.js';
import { assertWritable, inspectModelFolder, inspectRunFolder } from '../../../src/train/run/output-folder.js';
import { temporaryFolders } from '../../helpers/temporary-folders.js';

const temp = temporaryFolders('vaekit-output-folder-');
const folder = temp.folder;

const MANIFEST = JSON.stringify({ format: 'vaekit/1', producer: { name: 'vaekit', version: '0.1.0' } });
const CONFIG = JSON.stringify({ data: 'mnist', seed: 1, epochs: 2, architecture: { arch: 'mlp' }, likelihood: { kind: 'bernoulli' } });

describe('inspectModelFolder', () => {
  it('a missing or empty target is free', async () => {
    expect(await inspectModelFolder(join(temp.root(), 'nowhere'))).toEqual({ kind: 'missing' });
    expect(await inspectModelFolder(await folder({}))).toEqual({ kind: 'empty' });
  });

  it("is vaekit's with a vaekit manifest and only the files export writes (and their temporary siblings)", async () => {
    const own = await folder({ 'vaekit.json': MANIFEST, 'encoder.onnx': 'e', 'decoder.onnx': 'd', 'README.md': '#', 'samples.png': 'p', '.encoder.onnx.123.4.tmp': 'partial' });
    expect(await inspectModelFolder(own)).toEqual({ kind: 'vaekit' });
  });

  it.each([
    ['a file vaekit does not write', { 'vaekit.json': MANIFEST, 'notes.txt': 'mine' }, ['notes.txt']],
    ['a sub-folder', { 'vaekit.json': MANIFEST, 'old/encoder.onnx': 'e' }, ['old/']],
    ["vaekit's names without a manifest", { 'README.md': 'my notes', 'samples.png': 'p' }, ['README.md', 'samples.png']],
    ['a manifest of another producer', { 'vaekit.json': JSON.stringify({ producer: { name: 'other' } }) }, ['vaekit.json']],
  ])('is foreign with %s, and names what', async (_case, files, entries) => {
    expect(await inspectModelFolder(await folder(files))).toEqual({ kind: 'foreign', entries });
  });

  it('a symbolic link or a file in place of the folder is foreign; only the link may be forced', async () => {
    const real = await folder({ 'vaekit.json': MANIFEST });
    const link = join(temp.root(), 'link');
    await symlink(real, link);
    const linked = await inspectModelFolder(link);
    expect(linked).toMatchObject({ kind: 'foreign', reason: 'is a symbolic link vaekit did not make' });
    expect(() => assertWritable(`'out'`, link, 'model', linked, true)).not.toThrow();
    const file = join(await folder({ 'model': 'a file' }), 'model');
    const verdict = await inspectModelFolder(file);
    expect(verdict).toMatchObject({ kind: 'foreign', notAFolder: true });
    expect(() => assertWritable(`'out'`, file, 'model', verdict, true)).toThrow(/is a file, not a folder\. vaekit does not replace it/);
  });
});

describe('inspectRunFolder', () => {
  it("is vaekit's with a training configuration and only what training writes, at every depth", async () => {
    const run = await folder({
      'config.json': CONFIG, 'metrics.jsonl': '', 'checkpoint.json': '{}', 'loss-curve.png': 'p', 'latent-match.png': 'p',
      'model/encoder.json': '{}', 'model/encoder.weights.bin': 'w',
      'checkpoints/epoch-0002/state.json': '{}', 'checkpoints/epoch-0002/optimizer-discriminator.bin': 'o',
      'onnx/vaekit.json': MANIFEST, 'onnx/encoder.onnx': 'e', '.onnx.tmp-77-1700000000000/decoder.onnx': 'd',
      '.metrics.jsonl.77.3.tmp': '',
    });
    expect(await inspectRunFolder(run)).toEqual({ kind: 'vaekit' });
  });

  it('is foreign with anything else anywhere in it (issue 10: onnx/thesis.pdf, checkpoints/mine.txt)', async () => {
    const run = await folder({ 'config.json': CONFIG, 'onnx/thesis.pdf': '%PDF', 'checkpoints/mine.txt': 'mine', 'checkpoints/epoch-0001/notes.md': 'n' });
    expect(await inspectRunFolder(run)).toEqual({ kind: 'foreign', entries: ['checkpoints/epoch-0001/notes.md', 'checkpoints/mine.txt', 'onnx/thesis.pdf'] });
    const noConfig = await folder({ 'onnx/thesis.pdf': '%PDF', 'checkpoints/mine.txt': 'mine' });
    expect(await inspectRunFolder(noConfig)).toMatchObject({ kind: 'foreign', entries: ['checkpoints/mine.txt', 'onnx/thesis.pdf'] });
    const notesInOnnx = await folder({ 'config.json': CONFIG, 'onnx/README.md': 'my notes' });
    expect(await inspectRunFolder(notesInOnnx)).toEqual({ kind: 'foreign', entries: ['onnx/README.md'] });
    const otherConfig = await folder({ 'config.json': '{"name":"my-app"}', 'metrics.jsonl': '' });
    expect(await inspectRunFolder(otherConfig)).toEqual({ kind: 'foreign', entries: ['config.json', 'metrics.jsonl'] });
  });
});

describe('assertWritable', () => {
  it('refuses a foreign folder with refused-overwrite, naming a few entries and the ways out; force lets it through', async () => {
    const files = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`file-${i}.txt`, 'x']));
    const dir = await folder(files);
    const verdict = await inspectRunFolder(dir);
    let error: unknown;
    try {
      assertWritable(`'out'`, dir, 'run', verdict, false);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VaekitError);
    expect((error as VaekitError).code).toBe('refused-overwrite');
    expect((error as VaekitError).message).toBe(
      `'out' must be a new or empty folder, or a run folder written by \`vaekit train\`; ${dir} holds entries vaekit did not write: ` +
        'file-0.txt, file-1.txt, file-2.txt, file-3.txt, file-4.txt and 2 more. vaekit never deletes or overwrites files it did not write: ' +
        "choose another folder, move those files away, or use the 'force' option to write only vaekit's own files there, leaving the others untouched",
    );
    expect(() => assertWritable(`'out'`, dir, 'run', verdict, true)).not.toThrow();
    for (const free of [{ kind: 'missing' }, { kind: 'empty' }, { kind: 'vaekit' }] as const) {
      expect(() => assertWritable(`'out'`, dir, 'model', free, false)).not.toThrow();
    }
  });
});
