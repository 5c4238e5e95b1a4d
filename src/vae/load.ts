/**
 * What `Vae.load` does before the Vae exists: checks the loading options, reads the manifest and
 * the graphs (progress, abort, custom fetch, browser cache), verifies them, and opens the ONNX
 * Runtime sessions — none kept after an abort.
 */
import { VaekitError, describeValue } from '../errors.js';
import { checkGraphAgreement } from '../manifest/graph-agreement.js';
import { fixedBatch, type FixedBatch } from '../manifest/graph-batch.js';
import { inspectGraph } from '../manifest/graph-inspection.js';
import { parseManifest, verifyGraphIntegrity } from '../manifest/index.js';
import type { GraphRole, VaeManifest } from '../manifest/schema.js';
import { checkSignal, throwIfAborted } from '../runtime/abort.js';
import type { GraphSession, RuntimeBackend, SessionOptions } from '../runtime/backend.js';
import { checkCallback } from './arguments.js';
import { DEFAULT_CACHE_NAME, openGraphCache, type GraphCache } from './graph-cache.js';
import { LikelihoodScorer } from './likelihood-scorer.js';
import { openModelSource, type LoadProgress, type ModelSource } from './model-source.js';

export type { LoadProgress } from './model-source.js';

/** How `Vae.load` reads a model (the session options are in SessionOptions). */
export interface ReadModelOptions {
  /**
   * Called as bytes of vaekit.json and of each graph arrive — folder paths (Node, every 1 MiB)
   * and URLs (streamed) — with `{ file, loaded, total }`: `total` is the manifest's `bytes` for a
   * graph, and vaekit.json's size (on disk, or its Content-Length; without one, the bytes read so
   * far). Per file, `loaded` never decreases and the last call has loaded === total; a graph
   * from the cache is reported once, whole. Not called for bytes sources. Default: none.
   */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Aborting it stops loading: a fetch is aborted, a file read stops between chunks, and the
   * load rejects with `aborted` — no session is kept (one created meanwhile is released).
   * Default: none.
   */
  signal?: AbortSignal;
  /**
   * The fetch used for every URL read (vaekit.json and the graphs): add headers or credentials,
   * e.g. `(url, init) => fetch(url, { ...init, headers: { authorization: 'Bearer …' } })`. It
   * receives the abort signal in `init`. Default: the global `fetch`. Folder paths do not use it.
   */
  fetch?: typeof globalThis.fetch;
  /**
   * Browsers: keep the graphs in the Cache API (`true`: the cache named "vaekit", or a cache name),
   * keyed by their SHA-256: a later load reads them from there, checking the SHA-256 again (an
   * entry that fails is deleted and the graph fetched), while vaekit.json is always read from the
   * source. A graph the cache cannot store (quota, private mode) is loaded anyway, with a warning
   * through `onWarning`. Where `caches` does not exist (Node) the option is ignored, without
   * error. Default false.
   */
  cache?: boolean | string;
}

export interface CheckedReadOptions {
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
  cacheName: string | null;
}

/** Checks the reading options: each refusal names the option, the expected and the found value. */
export function checkReadModelOptions(options: ReadModelOptions): CheckedReadOptions {
  checkCallback(options.onProgress, 'onProgress');
  checkCallback(options.fetch, 'fetch');
  const signal = checkSignal(options.signal);
  const cache = options.cache ?? false;
  if (typeof cache !== 'boolean' && (typeof cache !== 'string' || cache.length === 0)) {
    throw new VaekitError('invalid-argument', `'cache' must be true, false or a cache name (a non-empty string); found ${describeValue(cache)}`);
  }
  return {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(signal ? { signal } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    cacheName: cache === true ? DEFAULT_CACHE_NAME : cache === false ? null : cache,
  };
}

/** Checks the Vae's own options (`batchSize`, `rangeCheck`) and fills in their defaults. */
export function checkVaeOptions(options: { batchSize?: number; rangeCheck?: 'warn' | 'refuse' | 'off'; onWarning?: (message: string) => void }) {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new VaekitError('invalid-argument', `'batchSize' must be a positive integer; found ${batchSize}`);
  }
  const rangeCheck = options.rangeCheck ?? 'warn';
  if (!['warn', 'refuse', 'off'].includes(rangeCheck)) {
    throw new VaekitError('invalid-argument', `'rangeCheck' must be warn, refuse or off; found ${JSON.stringify(rangeCheck)}`);
  }
  const onWarning = options.onWarning ?? ((message: string) => console.warn(message));
  return { batchSize, rangeCheck, onWarning };
}

/** A manifest and its graphs' bytes, verified (SHA-256, no external data, agreeing shapes). */
export interface ModelBytes {
  manifest: VaeManifest;
  bytes: Record<GraphRole, Uint8Array>;
  /** The batch size each graph fixes (null: any). */
  fixedBatch: FixedBatch;
}

/** Reads and verifies the model at `source`; `onWarning` hears of a graph the cache could not store. */
export async function readModel(source: ModelSource, runtime: RuntimeBackend, options: CheckedReadOptions, onWarning: (message: string) => void): Promise<ModelBytes> {
  const { signal, cacheName } = options;
  throwIfAborted(signal, 'before Vae.load read anything');
  const files = await openModelSource(source, runtime, options);
  const manifest = parseManifest(files.manifest);
  const cache: GraphCache | null = files.read && cacheName !== null ? await openGraphCache(cacheName) : null;
  const bytes = {} as Record<GraphRole, Uint8Array>;
  for (const role of ['encoder', 'decoder'] as const) {
    const entry = manifest.graphs[role];
    throwIfAborted(signal, `before reading ${entry.file}`);
    const cached = cache ? await cache.get(entry, signal) : null;
    if (cached) {
      options.onProgress?.({ file: entry.file, loaded: cached.length, total: cached.length });
      bytes[role] = cached;
      continue;
    }
    bytes[role] = await files.graph(entry);
    await verifyGraphIntegrity(manifest, role, bytes[role]);
    const failure = cache ? await cache.put(entry, bytes[role]) : null;
    if (failure !== null) onWarning(`vaekit: could not cache ${entry.file} in the Cache API (cache '${cacheName}'): ${failure}`);
  }
  // Before ONNX Runtime sees the bytes: no external data files, and the manifest tells the truth.
  const facts = { encoder: inspectGraph(bytes.encoder), decoder: inspectGraph(bytes.decoder) };
  checkGraphAgreement(manifest, facts);
  const batch = fixedBatch(manifest, facts);
  throwIfAborted(signal, 'after reading the model, before creating a session');
  return { manifest, bytes, fixedBatch: batch };
}

export interface Sessions {
  encoder: GraphSession;
  decoder: GraphSession;
  scorer: LikelihoodScorer;
}

/**
 * The encoder, decoder and likelihood scorer sessions. On a failure, or an abort of `signal`
 * (checked before and after each), the ones already created are released.
 */
export async function openSessions(runtime: RuntimeBackend, model: ModelBytes, sessionOptions: SessionOptions, signal?: AbortSignal): Promise<Sessions> {
  const { manifest, bytes } = model;
  const sessions: { release(): Promise<void> }[] = [];
  const open = async <T extends { release(): Promise<void> }>(what: string, create: () => Promise<T>): Promise<T> => {
    throwIfAborted(signal, `before creating the ${what} session`);
    const session = await create();
    sessions.push(session);
    throwIfAborted(signal, `while creating the ${what} session`);
    return session;
  };
  try {
    const encoder = await open('encoder', () => runtime.createSession(bytes.encoder, sessionOptions));
    const decoder = await open('decoder', () => runtime.createSession(bytes.decoder, sessionOptions));
    const outputs = Object.keys(manifest.graphs.decoder.outputs);
    const scorer = await open('likelihood scorer', () => LikelihoodScorer.create(runtime, manifest.likelihood, outputs, sessionOptions));
    return { encoder, decoder, scorer };
  } catch (error) {
    await Promise.all(sessions.map((s) => s.release().catch(() => undefined)));
    throw error;
  }
}
