/**
 * graph-cache.test.ts's page code, bundled into dist/parity-graph-cache-runner.js (beside
 * onnxruntime-web's files): loads a model by URL with `cache`, and reads or tampers the cache.
 */
import { Vae } from '../../src/web.js';
import { graphCacheKey } from '../../src/vae/graph-cache.js';
import type { LoadProgress } from '../../src/vae/load.js';

/** Loads the model at `modelUrl` with `cache`, decodes one latent, and disposes it. */
async function vaekitCacheLoad(modelUrl: string, cache: boolean | string) {
  const events: LoadProgress[] = [];
  const warnings: string[] = [];
  const vae = await Vae.load(new URL(modelUrl, location.href), { device: 'wasm', cache, onProgress: (p) => events.push(p), onWarning: (m) => warnings.push(m) });
  try {
    const { mean } = await vae.decode(new Float32Array(vae.latentDim).fill(0.5));
    return { events, warnings, meanSum: mean.data.reduce((a, b) => a + b, 0) };
  } finally {
    await vae.dispose();
  }
}

/** The keys of cache `name`, and each entry's size. */
async function vaekitCacheEntries(name: string): Promise<Record<string, number>> {
  const cache = await caches.open(name);
  const entries: Record<string, number> = {};
  for (const request of await cache.keys()) entries[request.url] = (await (await cache.match(request))!.arrayBuffer()).byteLength;
  return entries;
}

/** Flips one byte of the entry for `sha256` in cache `name` (same size): a tampered entry. */
async function vaekitCacheTamper(name: string, sha256: string): Promise<void> {
  const cache = await caches.open(name);
  const key = graphCacheKey(sha256);
  const bytes = new Uint8Array(await (await cache.match(key))!.arrayBuffer());
  bytes[bytes.length >> 1]! ^= 1;
  await cache.put(key, new Response(bytes));
}

Object.assign(globalThis, { vaekitCacheLoad, vaekitCacheEntries, vaekitCacheTamper });
