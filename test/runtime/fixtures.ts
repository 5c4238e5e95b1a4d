/** Shared by the runtime adapter tests: the shipped graphs, seeded inputs, a local HTTP server. */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { MODEL_DIR } from './graphs.js';

export { LATENT_DIM, MODEL_DIR, graphPath, loadGraph, maxAbsDiff, seededZ } from './graphs.js';

/** Awaits `promise`, asserts it rejects with a VaekitError and returns it. */
export async function rejection(promise: Promise<unknown>): Promise<VaekitError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(VaekitError);
    return e as VaekitError;
  }
  throw new Error('expected a rejection');
}

/** Serves models/mnist-mlp over HTTP on 127.0.0.1 (404 for anything missing). */
export async function serveModels(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
    if (!/^[\w.-]+$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(MODEL_DIR, name)).then(
      (bytes) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes),
      () => res.writeHead(404, 'Not Found').end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
