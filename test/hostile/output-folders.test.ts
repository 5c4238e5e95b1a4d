/**
 * Hostile output folders (issue 10, "Data loss"): vaekit never deletes or overwrites a file it did
 * not write. Each case fingerprints the folder before and after and runs the built CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/manifest/sha256.js';
import { CLI, fingerprint } from './harness.js';

const SMALL = ['--max-train', '512', '--max-test', '128', '--iwae-samples', '0', '--epochs', '1', '--hidden', '32', '--latent-dim', '4', '--backend', 'wasm'];
const MODEL_FILES = ['README.md', 'decoder.onnx', 'encoder.onnx', 'latent-match.png', 'reconstructions.png', 'samples.png', 'vaekit.json'];

let root: string;
let run: string;

function vaekit(args: string[], cwd?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function folderWith(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** Every entry of `before` is still there, byte-identical. */
function kept(before: Record<string, string>, after: Record<string, string>): void {
  for (const [path, print] of Object.entries(before)) expect(after[path], path).toBe(print);
}

/** A complete model folder: exactly vaekit's files, and the graphs the manifest's hashes name. */
async function expectCompleteModel(dir: string): Promise<void> {
  expect((await readdir(dir)).sort()).toEqual(MODEL_FILES);
  const manifest = JSON.parse(await readFile(join(dir, 'vaekit.json'), 'utf8'));
  for (const graph of ['encoder', 'decoder'] as const) {
    expect(await sha256Hex(await readFile(join(dir, `${graph}.onnx`)))).toBe(manifest.graphs[graph].sha256);
  }
}

const exitOf = (child: ReturnType<typeof spawn>) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  root = await mkdtemp(join(tmpdir(), 'vaekit-hostile-out-'));
  run = join(root, 'run');
  const trained = vaekit(['train', '--data', 'mnist', ...SMALL, '--out', run]);
  expect(trained.code, trained.stderr).toBe(0);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('output folders vaekit did not write', () => {
  it('export --out a foreign folder (and `.` from inside it) is refused with exit 1; every file stays', async () => {
    const foreign = await folderWith('S', { 'important.txt': 'x\n', 'notes/plan.md': 'keep me' });
    const before = await fingerprint(foreign);
    for (const [args, cwd] of [[['--out', foreign], undefined], [['--out', '.'], foreign]] as const) {
      const { code, stderr } = vaekit(['export', run, ...args], cwd);
      expect(code).toBe(1);
      expect(stderr).toContain(`${foreign} holds entries vaekit did not write: important.txt, notes/`);
      expect(stderr).toContain('--force');
      expect(await fingerprint(foreign)).toEqual(before);
    }
  });

  it('train --out a foreign folder is refused with exit 1 before training; every file stays', async () => {
    const foreign = await folderWith('U', { 'onnx/thesis.pdf': '%PDF thesis', 'checkpoints/mine.txt': 'mine' });
    const before = await fingerprint(foreign);
    const { code, stderr } = vaekit(['train', '--data', 'mnist', ...SMALL, '--out', foreign]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/vaekit: error: --out must be a new or empty folder, or a run folder written by `vaekit train`/);
    expect(stderr).toContain('checkpoints/mine.txt, onnx/thesis.pdf');
    expect(await fingerprint(foreign)).toEqual(before);
  });

  it('--force writes vaekit\'s entries beside foreign files, which stay byte-identical', async () => {
    const trainTarget = await folderWith('U-forced', { 'onnx/thesis.pdf': '%PDF thesis', 'checkpoints/mine.txt': 'mine', 'data.csv': 'a,b\n' });
    const trainBefore = await fingerprint(trainTarget);
    const trained = vaekit(['train', '--data', 'mnist', ...SMALL, '--out', trainTarget, '--force']);
    expect(trained.code, trained.stderr).toBe(0);
    const trainAfter = await fingerprint(trainTarget);
    kept(trainBefore, trainAfter);
    for (const entry of ['config.json', 'checkpoint.json', 'model/encoder.json', 'onnx/vaekit.json', 'onnx/encoder.onnx']) expect(trainAfter).toHaveProperty([entry]);

    // A user's README.md is a name vaekit writes: --force replaces it; important.txt stays.
    const exportTarget = await folderWith('S-forced', { 'important.txt': 'x\n', 'README.md': 'my own notes' });
    const exportBefore = await fingerprint(exportTarget);
    const exported = vaekit(['export', run, '--out', '.', '--force'], exportTarget);
    expect(exported.code, exported.stderr).toBe(0);
    const exportAfter = await fingerprint(exportTarget);
    expect(exportAfter['important.txt']).toBe(exportBefore['important.txt']);
    expect(exportAfter['README.md']).not.toBe(exportBefore['README.md']);
    expect(await readFile(join(exportTarget, 'README.md'), 'utf8')).toMatch(/vaekit export/);
    expect((await readdir(root)).filter((name) => name.startsWith('.S-forced'))).toEqual([]);
  });

  it('re-exporting into vaekit\'s own model folder swaps the whole folder in (atomic), leaving nothing staged', async () => {
    const model = join(root, 'own-model');
    await cp(join(run, 'onnx'), model, { recursive: true });
    const inode = (await stat(model)).ino;
    const { code, stderr } = vaekit(['export', run, '--out', model]);
    expect(code, stderr).toBe(0);
    expect((await stat(model)).ino).not.toBe(inode); // a new folder renamed in, not files rewritten in place
    await expectCompleteModel(model);
    expect((await readdir(root)).filter((name) => name.startsWith('.own-model'))).toEqual([]);
  });

  it('the next export cleans stale staging folders of killed exports, and no live one', async () => {
    const model = join(root, 'staged');
    await cp(join(run, 'onnx'), model, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has ended
    const now = Date.now();
    const stale = [`.staged.tmp-${gone}-${now}`, `.staged.old-${process.pid}-${now - 11 * 60_000}`];
    const live = [`.staged.tmp-${process.pid}-${now}`, `.other.tmp-${gone}-${now}`]; // a live writer's; another target's
    for (const name of [...stale, ...live]) await folderWith(name, { 'encoder.onnx': 'partial' });
    const { code, stderr } = vaekit(['export', run, '--out', model]);
    expect(code, stderr).toBe(0);
    const left = (await readdir(root)).filter((name) => name.startsWith('.staged') || name.startsWith('.other'));
    expect(left.sort()).toEqual([...live].sort());
  });
});

describe('kill -9 (SIGKILL)', () => {
  it('of a training process mid-run leaves a checkpoint the run resumes from', async () => {
    const killed = join(root, 'killed-run');
    const child = spawn(process.execPath, [CLI, 'train', '--data', 'mnist', ...SMALL, '--epochs', '4', '--no-export', '--out', killed], { stdio: 'ignore' });
    const exited = exitOf(child);
    while (!existsSync(join(killed, 'checkpoint.json'))) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    const pointer = JSON.parse(await readFile(join(killed, 'checkpoint.json'), 'utf8'));
    expect(pointer.epoch).toBeLessThan(4);
    const resumed = vaekit(['train', '--resume', killed, '--backend', 'wasm', '--no-export']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const lines = (await readFile(join(killed, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch ?? 'final')).toEqual([1, 2, 3, 4, 'final']);
  });

  it('during export never leaves a half-written model: the folder is the old complete one or the new one', async () => {
    const model = join(root, 'exporting');
    await cp(join(run, 'onnx'), model, { recursive: true });
    const child = spawn(process.execPath, [CLI, 'export', run, '--out', model], { stdio: 'ignore' });
    const exited = exitOf(child);
    // Kill the moment the staging folder appears: mid-write, or between the renames at the latest.
    const watcher = watch(root, (_event, name) => {
      if (String(name).startsWith('.exporting.tmp-')) child.kill('SIGKILL');
    });
    const { code, signal } = await exited;
    watcher.close();
    expect(signal === 'SIGKILL' || code === 0).toBe(true);
    if (existsSync(model)) await expectCompleteModel(model);
    else {
      // Killed between the two renames (a window of microseconds): the old model waits complete beside it.
      const retired = (await readdir(root)).find((name) => name.startsWith('.exporting.old-'));
      expect(retired).toBeDefined();
      await expectCompleteModel(join(root, retired!));
    }
    // The next export restores or replaces it and cleans what the killed one left.
    const again = vaekit(['export', run, '--out', model]);
    expect(again.code, again.stderr).toBe(0);
    await expectCompleteModel(model);
    expect((await readdir(root)).filter((name) => name.startsWith('.exporting'))).toEqual([]);
  });
});
