/** `vaekit serve` as a command: bearer token, CORS, and a graceful SIGTERM with requests in flight. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVE_PEERS, installLine } from '../../src/optional-peers.js';
import { ROOT, latentRow, post, startChild, startServer } from './serve-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'vaekit-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const infer = (url: string, i: number, headers: Record<string, string> = {}) =>
  post(`${url}/v2/models/mnist-mlp-decoder/infer`, { inputs: [{ name: 'z', shape: [1, 20], datatype: 'FP32', data: latentRow(i) }], outputs: [{ name: 'mean' }] }, headers);

describe('vaekit serve', () => {
  it('needs the bearer token of --token-file on every route but /v2/health/*, and exits 0 on SIGTERM with 8 requests in flight', async () => {
    const token = 'serve-test-token-0123456789';
    writeFileSync(join(dir, 'token'), `${token}\n`);
    // Requests wait up to 3 s for their batch: they are still in flight when SIGTERM arrives.
    const { child, url, exited, stderr } = await startChild(['--token-file', join(dir, 'token'), '--max-queue-delay-ms', '3000']);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
      expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
      const denied = await fetch(`${url}/v2/models/mnist-mlp-decoder`);
      expect(denied.status).toBe(401);
      expect(await denied.json()).toEqual({ error: 'this server needs Authorization: Bearer <token> (--token-file)' });
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/vaekit/v1/models/mnist-mlp/manifest`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const auth = { authorization: `Bearer ${token}` };
      expect((await fetch(`${url}/v2/models/mnist-mlp-decoder`, { headers: auth })).status).toBe(200);

      const inFlight = Array.from({ length: 8 }, (_, i) => infer(url, i, auth));
      // SIGTERM once all 8 wait in the decoder's queue (the metric says so).
      const depth = async () => Number(/vaekit_queue_depth\{model="mnist-mlp-decoder"\} (\d+)/.exec(await (await fetch(`${url}/metrics`, { headers: auth })).text())?.[1] ?? 0);
      while ((await depth()) < 8) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGTERM');
      const responses = await Promise.all(inFlight);
      expect(responses.map((r) => r.status)).toEqual(new Array(8).fill(200));
      for (const r of responses) expect((await r.json()).outputs[0].shape).toEqual([1, 28, 28, 1]);
      expect(await exited).toBe(0);
      expect(stderr()).toContain('SIGTERM: finishing the requests in flight');
      await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('sends CORS headers only with --cors', async () => {
    const plain = await startServer();
    const open = await startServer({ cors: 'https://app.example' });
    try {
      const origin = { origin: 'https://app.example' };
      expect((await fetch(`${plain.url}/v2`, { headers: origin })).headers.get('access-control-allow-origin')).toBeNull();
      const allowed = await fetch(`${open.url}/v2`, { headers: origin });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(allowed.headers.get('access-control-expose-headers')).toBe('Inference-Header-Content-Length, Retry-After');
      const preflight = await fetch(`${open.url}/v2/models/mnist-mlp-decoder/infer`, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(204);
    } finally {
      await Promise.all([plain.server.close(), open.server.close()]);
    }
  });

  it('refuses to start without its optional peers, naming the install line', () => {
    // Hides fastify from Node's resolver, as an app that installed only vaekit sees it.
    const preload = join(dir, 'hide.cjs');
    writeFileSync(preload, `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === 'fastify' || request.startsWith('fastify/')) throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
        return resolve.call(this, request, ...rest);
      };`);
    const result = spawnSync(process.execPath, ['--require', preload, '--import', 'tsx', 'src/cli/main.ts', 'serve', 'models/mnist-mlp', '--port', '0'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`vaekit: error: vaekit serve needs packages that are not installed (fastify); install them with:\n  ${installLine(SERVE_PEERS)}\n`);
  });
});
