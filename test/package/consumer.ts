/**
 * A user's project, made for real: a fresh folder outside the repository, vaekit's tarball (and any
 * other packages) installed by `npm i` from the registry, with no environment variable beyond PATH
 * and HOME (not even the npm_config_* that `npm test` passes to its children, which would carry
 * this repository's .npmrc).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY, stagePackage } from '../../scripts/package/stage.js';

/** The environment of a user's shell: PATH and HOME (npm's cache lives there). */
export const USER_ENV: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'] };

export interface Packed {
  tarball: string;
  packedBytes: number;
  unpackedBytes: number;
  files: string[];
}

/** Stages the package from the built dist/ and packs it with npm, into a fresh folder. */
export function packVaekit(): Packed {
  const out = mkdtempSync(join(tmpdir(), 'vaekit-pack-'));
  stagePackage(join(out, 'package'));
  const json = execFileSync('npm', ['pack', join(out, 'package'), '--pack-destination', out, '--json', '--silent'], { cwd: out, env: USER_ENV, encoding: 'utf8' });
  const [result] = JSON.parse(json) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  return { tarball: join(out, result!.filename), packedBytes: result!.size, unpackedBytes: result!.unpackedSize, files: result!.files.map((f) => f.path).sort() };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /**
   * It was stopped after `timeout` ms, having printed its output: Node 20 can deadlock at exit
   * after onnxruntime-web's wasm compiled in the background (nodejs/node#54918; seen here a few
   * times in a hundred runs on a loaded machine), which is not the program's doing.
   */
  hungAtExit: boolean;
}

export interface Consumer {
  dir: string;
  /** Runs a command in the project as the user would; never throws. */
  run(command: string, args: string[], timeout?: number): Run;
}

/** Exit 0, or the Node exit deadlock after the work was done (see Run.hungAtExit). */
export function succeeded(run: Run): boolean {
  return run.status === 0 || run.hungAtExit;
}

/** A new project (`type` module) that ran `npm i <packages…>`; throws with npm's output when the install fails. */
export function installConsumer(name: string, packages: string[]): Consumer & { install: Run } {
  const dir = mkdtempSync(join(tmpdir(), `vaekit-consumer-${name}-`));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `${name}-app`, private: true, type: 'module' }));
  const run: Consumer['run'] = (command, args, timeout = 120_000) => {
    const r = spawnSync(command, args, { cwd: dir, env: USER_ENV, encoding: 'utf8', timeout });
    if (r.status === null && r.signal === 'SIGTERM' && r.stdout.length > 0) {
      console.warn(`${command} ${args.join(' ').slice(0, 80)}… printed its output, then hung at exit; stopped after ${timeout / 1000} s (nodejs/node#54918)`);
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, hungAtExit: r.status === null && r.signal === 'SIGTERM' && r.stdout.length > 0 };
  };
  const install = run('npm', ['i', '--no-audit', '--no-fund', ...packages], 900_000);
  return { dir, run, install };
}

/** Bytes of every file under `dir` (apparent sizes; symbolic links counted as links). */
export function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? treeBytes(path) : lstatSync(path).size;
  }
  return total;
}

/** Top-level package names in a node_modules folder (`@scope/name` for scoped ones). */
export function installedPackages(nodeModules: string): string[] {
  return readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(join(nodeModules, name)).map((inner) => `${name}/${inner}`) : [name]));
}

export { REPOSITORY };
