/** Starting and stopping real vaekit servers for the serve tests: in-process, or the CLI as a child. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer, type VaeServer } from '../../src/serve/server.js';
import { SERVE_DEFAULTS, type ServeSettings } from '../../src/serve/settings.js';
import { encodeImageGrid, encodeReconstructionGrid } from '../../src/train/report/image-grid.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MODEL = 'models/mnist-mlp';

export async function startServer(settings: Partial<ServeSettings> = {}): Promise<{ server: VaeServer; url: string }> {
  const server = await createServer({
    ...SERVE_DEFAULTS,
    models: [`${ROOT}${MODEL}`],
    port: 0,
    logger: false,
    png: { grid: encodeImageGrid, pairs: encodeReconstructionGrid },
    version: '0.1.0',
    ...settings,
  });
  return { server, url: await server.listen() };
}

export interface ServeChild {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `vaekit serve` as a child (tsx), resolved once it prints its URL. */
export function startChild(args: string[]): Promise<ServeChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', MODEL, '--port', '0', '--no-log', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(err)?.[1];
      if (url) resolve({ child, url, stderr: () => err, exited });
    });
    void exited.then((code) => reject(new Error(`vaekit serve exited with ${code} before listening:\n${err}`)));
  });
}

export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** A deterministic latent row per index. */
export const latentRow = (i: number, J = 20) => Array.from({ length: J }, (_, j) => Math.sin(i * 7.1 + j * 1.3) * 1.5);
