import { VaekitError } from '../errors.js';
import { MANIFEST_MAX_BYTES, checkJsonTextDepth } from '../manifest/json-limits.js';
import { MANIFEST_FILE, type ManifestGraph } from '../manifest/schema.js';
import type { RuntimeBackend } from '../runtime/backend.js';
import { describeFound, isBytes, toBytes, type GraphBytes } from './graph-bytes.js';

export type { GraphBytes } from './graph-bytes.js';

/**
 * Where a model comes from: a folder path (Node), a folder URL (browser and Node), or the bytes
 * themselves with their manifest (JSON text, its bytes, or the parsed object). Bytes are an
 * ArrayBuffer (`await response.arrayBuffer()`) or any Uint8Array (a Node Buffer included).
 */
export type ModelSource =
  | string
  | URL
  | { manifest: string | object | GraphBytes; encoder: GraphBytes; decoder: GraphBytes };

/** One progress report of `Vae.load`: `loaded` of `total` bytes of `file` (vaekit.json or a graph's file). */
export interface LoadProgress {
  file: string;
  loaded: number;
  total: number;
}

/** How the files of a folder or URL source are read. */
export interface SourceReading {
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
}

export interface ModelFiles {
  manifest: unknown;
  /**
   * Reads a graph named by the manifest (relative to the source); a file whose size differs from
   * the manifest's `bytes` is refused (`integrity-mismatch`) before it is read.
   */
  graph(entry: Pick<ManifestGraph, 'file' | 'bytes'>): Promise<Uint8Array>;
  /** For messages: where the model came from. */
  origin: string;
  /** The graphs are read from files or URLs (not given as bytes): what a cache can save. */
  read: boolean;
}

function isUrlLike(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith('file:');
}

/** The bytes source's parts, checked: each refusal names the part and what was found. */
function bytesSource(source: object): ModelFiles {
  const s = source as Partial<Record<'manifest' | 'encoder' | 'decoder', unknown>>;
  if (s.manifest == null) {
    throw new VaekitError('invalid-argument', `'source.manifest' must be the manifest (vaekit.json) as text, bytes or an object; found ${describeFound(s.manifest)}`);
  }
  const bytes: Record<string, Uint8Array> = {
    encoder: toBytes(s.encoder, 'source.encoder', "the encoder graph's bytes"),
    decoder: toBytes(s.decoder, 'source.decoder', "the decoder graph's bytes"),
  };
  const m = s.manifest;
  const text = typeof m === 'string' ? m : isBytes(m) ? decodeManifest(m) : null;
  const manifest = text === null ? m : parseJson(text, 'the given manifest');
  return {
    manifest,
    origin: 'bytes',
    read: false,
    // Bytes are matched to graphs by role: the manifest's file names do not matter.
    graph: async ({ file }) => {
      const graphs = (manifest as { graphs?: Record<string, { file?: string }> }).graphs;
      const role = Object.entries(graphs ?? {}).find(([, g]) => g?.file === file)?.[0];
      return bytes[role ?? ''] ?? bytes[file.replace(/\.onnx$/, '')]!;
    },
  };
}

/** Manifest bytes as text, bounded like a manifest file. */
function decodeManifest(value: unknown): string {
  const bytes = toBytes(value, 'source.manifest', 'the manifest as text, bytes or an object');
  if (bytes.length > MANIFEST_MAX_BYTES) {
    throw new VaekitError('invalid-manifest', `'source.manifest' is at most ${MANIFEST_MAX_BYTES} bytes; found ${bytes.length} bytes`);
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Resolves `source` to its manifest and a graph reader, reading through the runtime (no hidden
 * I/O); `reading` reports progress per file, stops on abort and names the fetch for URLs.
 */
export async function openModelSource(source: ModelSource, runtime: RuntimeBackend, reading: SourceReading = {}): Promise<ModelFiles> {
  if (source !== null && typeof source === 'object' && !(source instanceof URL)) return bytesSource(source);
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new VaekitError('invalid-argument', `'source' must be a folder path, a URL or { manifest, encoder, decoder }; found ${describeFound(source)}`);
  }
  const base = source instanceof URL || isUrlLike(source) ? new URL(String(source).replace(/\/?$/, '/')) : source.replace(/\/+$/, '');
  const locate = (file: string) => (base instanceof URL ? new URL(file, base) : `${base}/${file}`);
  const { onProgress, signal, fetch } = reading;
  const options = (file: string) => ({
    ...(onProgress ? { onProgress: (loaded: number, total: number) => onProgress({ file, loaded, total }) } : {}),
    ...(signal ? { signal } : {}),
    ...(fetch ? { fetch } : {}),
  });
  const manifestBytes = await runtime.readFile(locate(MANIFEST_FILE), {
    ...options(MANIFEST_FILE),
    limit: { bytes: MANIFEST_MAX_BYTES, code: 'invalid-manifest', what: 'the manifest (vaekit.json)' },
  });
  const text = new TextDecoder().decode(manifestBytes);
  return {
    manifest: parseJson(text, String(locate(MANIFEST_FILE))),
    origin: String(base),
    read: true,
    graph: ({ file, bytes }) =>
      runtime.readFile(locate(file), {
        ...options(file),
        limit: {
          bytes,
          exact: true,
          code: 'integrity-mismatch',
          what: `the graph ${file}`,
          hint: 'the file is not the one vaekit.json describes (re-download it, or re-export the model)',
        },
      }),
  };
}

function parseJson(text: string, where: string): unknown {
  checkJsonTextDepth(text, where);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new VaekitError('invalid-manifest', `${where} is not JSON: ${(cause as Error).message}`, { cause });
  }
}
