/**
 * Real processes for the queue tests: `vaekit score` (local or --queue) and `vaekit worker` as
 * children of the CLI source, their stderr kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MODEL = 'models/mnist-mlp';

export interface Child {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
  /** Resolves with the first match of `pattern` in stderr (checked as it arrives). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** `vaekit <args>` from the CLI source (no dist build needed), stderr captured. */
export function vaekit(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(err);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      const match = pattern.exec(err);
      if (match) return Promise.resolve(match);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} in stderr within ${timeoutMs} ms:\n${err}`)), timeoutMs);
        void exited.then((code) => {
          clearTimeout(timer);
          setTimeout(() => reject(new Error(`exited with ${code} before ${pattern}:\n${err}`)), 50);
        });
        waiters.push({
          pattern,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
}

/** Runs `vaekit <args>` to its end. */
export async function vaekitRun(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const run = vaekit(args);
  const code = await run.exited;
  return { code, stderr: run.stderr() };
}
