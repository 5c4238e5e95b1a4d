/**
 * The remote runners: the real `vaekit serve models/mnist-mlp` (the CLI as a child on 127.0.0.1, a
 * free port; its graphs on onnxruntime-node cpu with dynamic batching at its defaults), and the
 * conformance computation on a `Vae.connect` Vae — encoder and decoder run on the server over OIP
 * (binary tensors, as the server offers them); the sampler and the likelihood scorer run in the
 * client. Two clients: this process (onnxruntime-node scorer), and a Chromium page of the static
 * server's origin through `--cors` (onnxruntime-web scorer). Each row has its own server, stopped
 * with SIGTERM afterwards: an exit code other than 0 becomes a warning (the rows expect none).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { ortNodeBackend } from '../../../src/runtime/ort-node.js';
import { Vae } from '../../../src/index.js';
import { runConformance, type ConformanceInput, type ConformanceResult } from '../conformance.js';
import { runRemotePage } from './browser.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `vaekit serve models/mnist-mlp --port 0 --no-log [args]` as a child (tsx), resolved with its URL once it listens. */
async function startServe(args: string[] = []): Promise<{ url: string; command: string; stop: () => Promise<number | null> }> {
  const argv = ['serve', 'models/mnist-mlp', '--port', '0', '--no-log', ...args];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGTERM'), reject(new Error(`vaekit serve did not listen within 60 s:\n${err}`))), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(err)?.[1];
      if (found) (clearTimeout(timer), resolve(found));
    });
    void exited.then((code) => (clearTimeout(timer), reject(new Error(`vaekit serve exited with ${code} before listening:\n${err}`))));
  });
  return {
    url,
    command: `vaekit ${argv.join(' ')}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs `work` against a fresh `vaekit serve [args]`, then stops the server; a non-zero exit is added to the result's warnings. */
async function withServe(args: string[], work: (url: string, command: string) => Promise<ConformanceResult>): Promise<ConformanceResult> {
  const server = await startServe(args);
  let result: ConformanceResult;
  try {
    result = await work(server.url, server.command);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const code = await server.stop();
  if (code !== 0) result.warnings.push(`vaekit serve exited with ${code} after SIGTERM`);
  return result;
}

/** The Node client: Vae.connect in this process (likelihood scorer on onnxruntime-node). */
export async function runRemote(input: ConformanceInput): Promise<ConformanceResult> {
  return withServe([], async (url, command) => {
    const warnings: string[] = [];
    const started = performance.now();
    const vae = await Vae.connect(url, { model: 'mnist-mlp', runtime: ortNodeBackend, onWarning: (m: string) => warnings.push(m) });
    try {
      const loadMs = performance.now() - started;
      return await runConformance(vae, input, warnings, { loadMs, server: command });
    } finally {
      await vae.dispose();
    }
  });
}

/** The Chromium client: the parity page at `pageUrl` connects cross-origin to a server started with `--cors <the page's origin>`. */
export async function runRemoteChromium(browser: Browser, pageUrl: string, input: ConformanceInput): Promise<ConformanceResult> {
  return withServe(['--cors', new URL(pageUrl).origin], async (url, command) => {
    const result = await runRemotePage(browser, pageUrl, url, input);
    return { ...result, info: { ...result.info, server: command } };
  });
}
