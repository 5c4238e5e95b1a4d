/**
 * The remote runtime in headless Chromium, beyond the parity suite's remote Chromium row (which
 * runs every conformance quantity through `vaekit serve --cors` with binary tensors): the browser
 * entry (src/web.ts, bundled by esbuild) on a page of one origin samples and encodes over JSON
 * tensors with the local Vae's numbers, and without CORS the browser refuses and the SDK says
 * io-error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';
import { Vae } from '../../src/node.js';
import type { VaeServer } from '../../src/serve/server.js';
import { launchChromium } from '../browser/chromium.js';
import { MODEL, ROOT, startServer } from '../serve/serve-helpers.js';

const ENTRY = `
import { Vae } from './src/web.ts';
window.remote = async (url, binary) => {
  try {
    const vae = await Vae.connect(url, { model: 'mnist-mlp', binary, retries: 0 });
    const { mean } = await vae.sample(16, { seed: 42 });
    const { mu } = await vae.encode(mean);
    const info = { provider: vae.provider.decoder, latentDim: vae.latentDim };
    await vae.dispose();
    return { mean: Array.from(mean.data), mu: Array.from(mu.data), info };
  } catch (e) {
    return { error: e.code + ': ' + e.message };
  }
};
`;

let dir: string;
let page: Page;
let browser: Browser;
let site: StaticServer;
let allowed: { server: VaeServer; url: string };
let closed: { server: VaeServer; url: string };
let local: Vae;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vaekit-remote-browser-'));
  await build({ stdin: { contents: ENTRY, resolveDir: ROOT, loader: 'js' }, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(dir, 'app.js'), logLevel: 'silent' });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>remote</title><script type="module" src="./app.js"></script>');
  site = await startStaticServer(dir);
  allowed = await startServer({ cors: new URL(site.url).origin });
  closed = await startServer();
  local = await Vae.load(`${ROOT}${MODEL}`);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(new URL("/", site.url).href);
  await page.waitForFunction(() => typeof (window as unknown as { remote?: unknown }).remote === 'function');
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([allowed?.server.close(), closed?.server.close(), site?.close(), local?.dispose()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Result = { mean: number[]; mu: number[]; info: { provider: string; latentDim: number }; error?: string };
const remote = (url: string, binary: boolean) => page.evaluate(([u, b]) => (window as unknown as { remote(u: string, b: boolean): Promise<Result> }).remote(u, b), [url, binary] as const);

it('samples and encodes through vaekit serve --cors from Chromium over JSON tensors, the local numbers', async () => {
  const result = await remote(allowed.url, false);
  expect(result.error).toBeUndefined();
  expect(result.info).toEqual({ provider: 'remote', latentDim: 20 });
  const { mean } = await local.sample(16, { seed: 42 });
  const { mu } = await local.encode(mean);
  expect(Math.max(...result.mean.map((v, i) => Math.abs(v - mean.data[i]!)))).toBeLessThan(1e-5);
  expect(Math.max(...result.mu.map((v, i) => Math.abs(v - mu.data[i]!)))).toBeLessThan(1e-4);
});

it('says io-error when the server does not allow the page origin (no --cors)', async () => {
  const result = await remote(closed.url, true);
  expect(result.error).toMatch(/^io-error: GET http:\/\/127\.0\.0\.1:\d+\/vaekit\/v1\/models\/mnist-mlp\/manifest failed: could not reach the server/);
});
