/**
 * The remote runner: the real `vaekit serve models/mnist-mlp` (the CLI as a child on 127.0.0.1, a
 * free port; its graphs on onnxruntime-node cpu with dynamic batching at its defaults), and the
 * conformance computation on a `Vae.connect` Vae in this process — encoder and decoder run on the
 * server over OIP (binary tensors, as the server offers them); the sampler and the likelihood
 * scorer run in the client (onnxruntime-node).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ortNodeBackend } from '../../../src/runtime/ort-node.js';
import { Vae } from '../../../src/index.js';
import { runConformance, type ConformanceInput, type ConformanceResult } from '../conformance.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `vaekit serve models/mnist-mlp --port 0 --no-log` as a child (tsx), resolved with its URL once it listens. */
async function startServe(): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', 'models/mnist-mlp', '--port', '0', '--no-log'], {
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
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Vae.connect to a fresh `vaekit serve`, the conformance run, then the server stopped (exit code in info). */
export async function runRemote(input: ConformanceInput): Promise<ConformanceResult> {
  const warnings: string[] = [];
  const server = await startServe();
  let vae: Vae | undefined;
  let result: ConformanceResult;
  try {
    const started = performance.now();
    vae = await Vae.connect(server.url, { model: 'mnist-mlp', runtime: ortNodeBackend, onWarning: (m: string) => warnings.push(m) });
    const loadMs = performance.now() - started;
    result = await runConformance(vae, input, warnings, { loadMs, server: 'vaekit serve models/mnist-mlp --port 0 --no-log' });
  } finally {
    await vae?.dispose();
    const code = await server.stop();
    if (code !== 0) warnings.push(`vaekit serve exited with ${code} after SIGTERM`);
  }
  return result;
}
