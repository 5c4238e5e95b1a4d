/**
 * Shared tools of the hostile-input suite: fingerprint a folder before and after an attack, and
 * run an attack in a child process to read its peak RSS (memory is what some attacks go after).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI (`npm test` builds first): what users run. */
export const CLI = join(ROOT, 'dist/cli.js');

/**
 * Every entry under `dir` (files by SHA-256, symlinks by target, folders, others by type),
 * keyed by relative path. Two equal fingerprints mean nothing was created, removed or changed.
 * Does not follow symlinks and never reads a FIFO or device.
 */
export async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(path: string): Promise<void> {
    const stat = await lstat(path);
    const key = relative(dir, path) || '.';
    if (stat.isSymbolicLink()) out[key] = `symlink → ${await readlink(path)}`;
    else if (stat.isDirectory()) {
      out[key] = 'dir';
      for (const name of (await readdir(path)).sort()) await walk(join(path, name));
    } else if (stat.isFile()) out[key] = `file ${stat.size} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
    else out[key] = stat.isFIFO() ? 'fifo' : 'special';
  }
  await walk(dir);
  return out;
}

export interface ChildOutcome {
  /** What the script printed with `report(…)` (its last JSON line). */
  result: Record<string, unknown>;
  /**
   * Peak resident set of the child, in MB: VmHWM of /proc/self/status on Linux, else
   * `process.resourceUsage().maxRSS` (which Linux carries over fork + exec, so it would report
   * the test process's own peak when that is higher).
   */
  peakRssMb: number;
  exitCode: number | null;
  stderr: string;
}

/**
 * Runs `body` (an async ES-module snippet, TypeScript allowed through tsx) in a fresh Node process
 * and returns what it reported and its peak RSS. `body` may `await`, import from `src` with
 * `await import(src('vae/vae.ts'))`, and call `report(value)` once; a thrown error is reported as
 * `{ thrown: { name, code, message } }`.
 *
 * @example
 * ```ts
 * const { result, peakRssMb } = await inChild(`
 *   const { loadIdx } = await import(src('train/data/idx.ts'));
 *   await loadIdx(${JSON.stringify(path)});
 * `);
 * expect(result.thrown.code).toBe('invalid-data');
 * expect(peakRssMb).toBeLessThan(300);
 * ```
 */
export async function inChild(body: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ChildOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'vaekit-hostile-child-'));
  const script = join(dir, 'attack.mts');
  await writeFile(
    script,
    `const src = (p: string) => ${JSON.stringify(join(ROOT, 'src'))} + '/' + p;
let reported: unknown = null;
const report = (value: unknown) => { reported = value; };
try {
${body}
} catch (e) {
  const err = e as { name?: string; code?: string; message?: string };
  reported = { thrown: { name: err?.name, code: err?.code, message: err?.message } };
}
let maxRssKb = process.resourceUsage().maxRSS;
try {
  const { readFileSync } = await import('node:fs');
  const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (hwm) maxRssKb = Number(hwm[1]);
} catch {}
process.stdout.write('\\n' + JSON.stringify({ result: reported, maxRssKb }) + '\\n');
process.exit(0);
`,
  );
  try {
    return await new Promise<ChildOutcome>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...options.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          const parsed = JSON.parse(last) as { result: Record<string, unknown>; maxRssKb: number };
          resolve({ result: parsed.result ?? {}, peakRssMb: parsed.maxRssKb / 1024, exitCode, stderr });
        } catch {
          reject(new Error(`child ended (exit ${exitCode}) without a report; stdout tail: ${stdout.slice(-500)}; stderr: ${stderr.slice(-2000)}`));
        }
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
