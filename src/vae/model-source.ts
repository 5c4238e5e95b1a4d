import { VaekitError } from '../errors.js';
import { MANIFEST_MAX_BYTES, checkJsonTextDepth } from '../manifest/json-limits.js';
import { MANIFEST_FILE, type ManifestGraph } from '../manifest/schema.js';
import type { RuntimeBackend } from '../runtime/backend.js';

/**
 * Where a model comes from: a folder path (Node), a folder URL (browser and Node), or the bytes
 * themselves with their manifest (JSON text or object).
 */
export type ModelSource =
  | string
  | URL
  | { manifest: string | object; encoder: Uint8Array; decoder: Uint8Array };

export interface ModelFiles {
  manifest: unknown;
  /**
   * Reads a graph named by the manifest (relative to the source); a file whose size differs from
   * the manifest's `bytes` is refused (`integrity-mismatch`) before it is read.
   */
  graph(entry: Pick<ManifestGraph, 'file' | 'bytes'>): Promise<Uint8Array>;
  /** For messages: where the model came from. */
  origin: string;
}

function isUrlLike(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.startsWith('file:');
}

/** Resolves `source` to its manifest and a graph reader, reading through the runtime (no hidden I/O). */
export async function openModelSource(source: ModelSource, runtime: RuntimeBackend): Promise<ModelFiles> {
  if (typeof source === 'object' && !(source instanceof URL)) {
    if (!source || !(source.encoder instanceof Uint8Array) || !(source.decoder instanceof Uint8Array) || source.manifest == null) {
      throw new VaekitError('invalid-argument', "'source' as bytes must be { manifest, encoder: Uint8Array, decoder: Uint8Array }");
    }
    const manifest = typeof source.manifest === 'string' ? parseJson(source.manifest, 'the given manifest') : source.manifest;
    const bytes: Record<string, Uint8Array> = { encoder: source.encoder, decoder: source.decoder };
    return {
      manifest,
      origin: 'bytes',
      // Bytes are matched to graphs by role: the manifest's file names do not matter.
      graph: async ({ file }) => {
        const m = manifest as { graphs?: Record<string, { file?: string }> };
        const role = Object.entries(m.graphs ?? {}).find(([, g]) => g?.file === file)?.[0];
        return bytes[role ?? ''] ?? bytes[file.replace(/\.onnx$/, '')]!;
      },
    };
  }
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new VaekitError('invalid-argument', `'source' must be a folder path, a URL or { manifest, encoder, decoder }; found ${typeof source}`);
  }
  const base = source instanceof URL || isUrlLike(source) ? new URL(String(source).replace(/\/?$/, '/')) : source.replace(/\/+$/, '');
  const locate = (file: string) => (base instanceof URL ? new URL(file, base) : `${base}/${file}`);
  const manifestBytes = await runtime.readFile(locate(MANIFEST_FILE), {
    limit: { bytes: MANIFEST_MAX_BYTES, code: 'invalid-manifest', what: 'the manifest (vaekit.json)' },
  });
  const text = new TextDecoder().decode(manifestBytes);
  return {
    manifest: parseJson(text, String(locate(MANIFEST_FILE))),
    origin: String(base),
    graph: ({ file, bytes }) =>
      runtime.readFile(locate(file), {
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
