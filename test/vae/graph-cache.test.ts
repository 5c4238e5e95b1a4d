/**
 * `cache` in headless Chromium: a page on 127.0.0.1 (a real static server counting requests)
 * loads models/mnist-mlp by URL twice. The second load fetches only vaekit.json; a tampered cache
 * entry is not used (its SHA-256 is checked again) but fetched again and replaced.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.js';
import { graphCacheKey } from '../../src/vae/graph-cache.js';
import type { LoadProgress } from '../../src/vae/load.js';
import { launchChromium } from '../browser/chromium.js';
import { ROOT, bundlePageRunner } from '../parity/bundle.js';

const MODEL = '/models/mnist-mlp/';
type Manifest = { graphs: Record<'encoder' | 'decoder', { file: string; sha256: string; bytes: number }> };
type LoadResult = { events: LoadProgress[]; warnings: string[]; meanSum: number };

let manifest: Manifest;
let server: StaticServer;
let browser: Browser;
let page: Page;
const requests: string[] = [];

/** The model files the server was asked for while `work` ran. */
async function modelRequests<T>(work: () => Promise<T>): Promise<{ result: T; files: string[] }> {
  const from = requests.length;
  const result = await work();
  return { result, files: requests.slice(from).filter((p) => p.startsWith(MODEL)).map((p) => p.slice(MODEL.length)) };
}

const load = (cache: boolean | string) =>
  page.evaluate(([m, c]) => (globalThis as unknown as { vaekitCacheLoad(m: string, c: boolean | string): Promise<LoadResult> }).vaekitCacheLoad(m, c), [MODEL, cache] as const);
const entries = (name: string) =>
  page.evaluate((n) => (globalThis as unknown as { vaekitCacheEntries(n: string): Promise<Record<string, number>> }).vaekitCacheEntries(n), name);

beforeAll(async () => {
  manifest = JSON.parse(await readFile(`${ROOT}models/mnist-mlp/vaekit.json`, 'utf8')) as Manifest;
  const launched = launchChromium();
  // Named parity-* in dist/ so that package.json's "!dist/parity*" keeps them out of the package.
  await bundlePageRunner({ script: 'parity-graph-cache-runner.js', page: 'parity-graph-cache.html', entry: new URL('./graph-cache-page.ts', import.meta.url) });
  server = await startStaticServer(ROOT, { onRequest: (path) => requests.push(path) });
  browser = await launched;
  page = await browser.newPage();
  await page.goto(new URL('dist/parity-graph-cache.html', server.url).href);
  await page.waitForFunction(() => typeof (globalThis as Record<string, unknown>)['vaekitCacheLoad'] === 'function', undefined, { timeout: 20_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Vae.load cache (headless Chromium)', () => {
  const encoder = () => manifest.graphs.encoder;
  const decoder = () => manifest.graphs.decoder;

  it('stores the graphs keyed by SHA-256 on the first load; the second fetches only vaekit.json', async () => {
    const first = await modelRequests(() => load(true));
    expect(first.files).toEqual(['vaekit.json', 'encoder.onnx', 'decoder.onnx']);
    expect(await entries('vaekit')).toEqual({ [graphCacheKey(encoder().sha256)]: encoder().bytes, [graphCacheKey(decoder().sha256)]: decoder().bytes });

    const second = await modelRequests(() => load(true));
    expect(second.files).toEqual(['vaekit.json']);
    expect(second.result.meanSum).toBe(first.result.meanSum);
    expect(second.result.warnings).toEqual([]);
    // Cached graphs are reported once, whole.
    expect(second.result.events.filter((e) => e.file !== 'vaekit.json')).toEqual([
      { file: 'encoder.onnx', loaded: encoder().bytes, total: encoder().bytes },
      { file: 'decoder.onnx', loaded: decoder().bytes, total: decoder().bytes },
    ]);
  });

  it('ignores a tampered entry (SHA-256 checked again): fetches that graph again and replaces the entry', async () => {
    await page.evaluate(([s]) => (globalThis as unknown as { vaekitCacheTamper(n: string, s: string): Promise<void> }).vaekitCacheTamper('vaekit', s), [decoder().sha256] as const);
    const tampered = await modelRequests(() => load(true));
    expect(tampered.files).toEqual(['vaekit.json', 'decoder.onnx']);
    const again = await modelRequests(() => load(true));
    expect(again.files).toEqual(['vaekit.json']);
    expect(again.result.meanSum).toBe(tampered.result.meanSum);
  });

  it('uses the cache name given, and no cache without the option', async () => {
    const named = await modelRequests(() => load('my-models'));
    expect(named.files).toEqual(['vaekit.json', 'encoder.onnx', 'decoder.onnx']);
    expect(Object.keys(await entries('my-models'))).toHaveLength(2);
    const uncached = await modelRequests(() => load(false));
    expect(uncached.files).toEqual(['vaekit.json', 'encoder.onnx', 'decoder.onnx']);
  });
});
