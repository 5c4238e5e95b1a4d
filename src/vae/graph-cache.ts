/**
 * Browser caching of graphs with the Cache API, keyed by their SHA-256: a graph whose bytes are
 * cached is not fetched again, whatever URL the model comes from. An entry is trusted only after
 * its SHA-256 is checked again (a tampered or truncated entry is deleted and the graph
 * re-fetched), and its read is bounded by the manifest's `bytes` like a download. Where `caches`
 * does not exist (Node) there is no cache and no error.
 */
import { sha256Hex } from '../manifest/index.js';
import type { ManifestGraph } from '../manifest/schema.js';
import { fetchBytes } from '../runtime/read-file-fetch.js';

/** The cache name used by `cache: true`. */
export const DEFAULT_CACHE_NAME = 'vaekit';

/** The key of a graph's entry: a URL no request ever goes to (`.invalid` never resolves). */
export function graphCacheKey(sha256: string): string {
  return `https://cache.vaekit.invalid/sha256/${sha256}`;
}

type Entry = Pick<ManifestGraph, 'file' | 'bytes' | 'sha256'>;

export interface GraphCache {
  /** The graph's verified bytes, or null when absent, unreadable or not those bytes (then deleted). */
  get(entry: Entry, signal?: AbortSignal): Promise<Uint8Array | null>;
  /** Stores verified bytes; a failure (quota, private mode) is returned as its message, never thrown. */
  put(entry: Entry, bytes: Uint8Array): Promise<string | null>;
}

/** The cache named `name`, or null where the Cache API is missing or refused (e.g. an opaque origin). */
export async function openGraphCache(name: string): Promise<GraphCache | null> {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (!storage) return null;
  let cache: Cache;
  try {
    cache = await storage.open(name);
  } catch {
    return null;
  }
  return {
    async get(entry, signal) {
      const key = graphCacheKey(entry.sha256);
      const response = await cache.match(key).catch(() => undefined);
      if (!response) return null;
      let bytes: Uint8Array | null = null;
      try {
        bytes = await fetchBytes(key, {
          fetch: async () => response,
          limit: { bytes: entry.bytes, exact: true, code: 'integrity-mismatch', what: `the cached graph ${entry.file}` },
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (signal?.aborted) throw error;
      }
      if (bytes && (await sha256Hex(bytes)) === entry.sha256) return bytes;
      await cache.delete(key).catch(() => false);
      return null;
    },
    async put(entry, bytes) {
      try {
        const body = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
        const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) };
        await cache.put(graphCacheKey(entry.sha256), new Response(body, { headers }));
        return null;
      } catch (error) {
        return (error as Error).message;
      }
    },
  };
}
