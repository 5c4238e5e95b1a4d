import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The CLI under test is the built one (`npm test` builds first): what users run.
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let root: string;

function vaekit(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SMALL = ['--backend', 'wasm', '--max-train', '2048', '--max-test', '100', '--hidden', '96', '--latent-dim', '4', '--iwae-samples', '8', '--seed', '3'];

async function metrics(dir: string) {
  const text = await readFile(join(dir, 'metrics.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const { samplesPerSec: _s, seconds: _t, ...rest } = JSON.parse(line);
      return rest;
    });
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  root = await mkdtemp(join(tmpdir(), 'vaekit-cli-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('vaekit train', () => {
  it('--help documents every flag', () => {
    const { code, stdout } = vaekit('train', '--help');
    expect(code).toBe(0);
    for (const flag of ['--data', '--epochs', '--seed', '--out', '--resume', '--force', '--backend', '--batch-size', '--lr', '--hidden', '--latent-dim', '--likelihood', '--sigma', '--beta', '--warmup', '--free-bits', '--mc-samples', '--iwae-samples', '--max-train', '--max-test']) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--latent-dim', '0'], /--latent-dim <n>' argument '0' is invalid\. expected a positive integer/],
    [['--beta', '-1'], /--beta <x>' argument '-1' is invalid\. expected a non-negative number/],
    [['--epochs', '2.5'], /--epochs <n>' argument '2\.5' is invalid\. expected a positive integer/],
    [['--epochs', 'ten'], /--epochs <n>' argument 'ten' is invalid/],
    [['--hidden', '400,x'], /expected comma-separated positive integers/],
    [['--backend', 'gpu'], /argument 'gpu' is invalid\. Allowed choices are auto, tensorflow, wasm, cpu/],
    [['--workers', '0'], /--workers <n>' argument '0' is invalid\. expected a positive integer of at most 64, or "auto"/],
  ])('refuses %j with exit code 2 and says why', (args, message) => {
    const { code, stderr } = vaekit('train', ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('--workers 2 trains on two threads, says so, records it, and a resume may change it', async () => {
    const out = join(root, 'two-threads');
    const two = vaekit('train', ...SMALL, '--epochs', '1', '--workers', '2', '--no-export', '--out', out);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/backend: wasm.* · 2 threads \(--workers 2: each a share of every batch\)/);
    expect((await metrics(out))[0]).toMatchObject({ workers: 2 });
    const more = vaekit('train', '--resume', out, '--epochs', '2', '--workers', '1', '--no-export');
    expect(more.code, more.stderr).toBe(0);
    expect(more.stdout).toContain('1 thread (--workers 1)');
    expect((await metrics(out)).filter((m) => !m.final).map((m) => m.workers)).toEqual([2, 1]);
  });

  it('refuses an unwritable --out and a --resume folder without a checkpoint (exit 1)', () => {
    const unwritable = vaekit('train', '--out', '/etc/hostname/run', ...SMALL);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/vaekit: error: --out must be a writable folder; cannot write to \/etc\/hostname\/run/);
    const empty = vaekit('train', '--resume', root);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/--resume must name a run folder holding checkpoint\.json; found none in/);
    const mixed = vaekit('train', '--resume', root, '--seed', '5');
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/cannot be combined with --seed/);
  });

  it('resumes a killed run to the metrics of an uninterrupted one', async () => {
    const whole = join(root, 'whole');
    const killed = join(root, 'killed');
    const epochs = ['--epochs', '5'];
    const reference = vaekit('train', ...SMALL, ...epochs, '--out', whole);
    expect(reference.code, reference.stderr).toBe(0);
    expect(reference.stdout).toContain(`run folder: ${whole}`);

    // Kill the second run with SIGKILL as soon as its first checkpoint exists: freeze it first
    // (SIGSTOP) so that the checkpoint read below is the last one it wrote, whatever the machine's speed.
    const child = spawn(process.execPath, [CLI, 'train', ...SMALL, ...epochs, '--out', killed], { stdio: 'ignore' });
    type Exit = { code: number | null; signal: NodeJS.Signals | null };
    const child_: { exit?: Exit } = {};
    const exited = new Promise<Exit>((done) =>
      child.on('exit', (code, signal) => {
        child_.exit = { code, signal };
        done(child_.exit);
      }),
    );
    const deadline = Date.now() + 100_000;
    while (!existsSync(join(killed, 'checkpoint.json'))) {
      if (child_.exit) throw new Error(`the training child exited (${JSON.stringify(child_.exit)}) before writing a checkpoint`);
      if (Date.now() > deadline) throw new Error('no checkpoint after 100 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGSTOP');
    const pointer = JSON.parse(await readFile(join(killed, 'checkpoint.json'), 'utf8'));
    child.kill('SIGKILL');
    const end = await exited;
    if (end.signal === 'SIGKILL') {
      expect(pointer.epoch).toBeLessThan(5);
      const resumed = vaekit('train', '--resume', killed, '--backend', 'wasm');
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain(`resuming after epoch ${pointer.epoch} of 5`);
    } else {
      // The whole run finished between two polls (a very fast machine): nothing was interrupted.
      expect(end.code).toBe(0);
    }
    expect(await metrics(killed)).toEqual(await metrics(whole));
  });
});
