/**
 * A real `redis-server` (Debian's, installed by .ci/run) for one test file: 127.0.0.1, a free port,
 * a temporary folder, persistence on (append-only file, by default fsynced on every write), so
 * that `restart()` brings back everything it held — the Redis-restart fault of the queue tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0`. */
  readonly url: string;
  /** SIGTERM (Redis flushes its append-only file), wait for the exit, start again on the same port and folder. */
  restart(): Promise<void>;
  /** SIGTERM, wait for the exit, remove the folder. */
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** A port the OS reports free right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Sends one inline command and resolves with the first reply line, or rejects on a connection error. */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.on('data', (data) => {
      reply += data.toString('latin1');
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
    socket.write(`${command}\r\n`);
  });
}

/** Resolves once the server answers PING with PONG (not LOADING while it reads its file). */
async function waitForPong(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${log()}`);
    const reply = await ask(port, 'PING').catch(() => '');
    if (reply === '+PONG') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 15 s:\n${log()}`);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a redis-server and resolves once it answers PING. `appendfsync: 'everysec'` (Redis's
 * recommended setting) loses at most the last second on a crash; 'always' (default) nothing.
 *
 * @example
 * ```ts
 * const redis = await startRedis();
 * // … vaekit score --queue redis.url …
 * await redis.restart();
 * await redis.stop();
 * ```
 */
export async function startRedis(options: { appendfsync?: 'always' | 'everysec' } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'vaekit-redis-'));
  let child: ChildProcess;
  let log = '';
  const launch = async () => {
    log = '';
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'always'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    await waitForPong(port, child, () => log);
  };
  const halt = async () => {
    child.kill('SIGTERM');
    await exited(child);
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
