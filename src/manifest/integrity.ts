/** SHA-256 (and size) check of a graph's bytes against the manifest, before a session is created. */
import { VaekitError, describeValue } from '../errors.js';
import type { GraphRole, ManifestGraph } from './schema.js';
import { sha256Hex } from './sha256.js';

/** What the check reads of a manifest (any `VaeManifest`); without `bytes` only the hash is compared. */
export interface IntegrityManifest {
  graphs: Record<GraphRole, Pick<ManifestGraph, 'file' | 'sha256'> & { bytes?: number | null }>;
}

/**
 * Resolves when `bytes` are the graph the manifest describes; otherwise throws
 * `VaekitError('integrity-mismatch')` naming the file, the expected and the found SHA-256 — and,
 * when the manifest records `bytes`, both sizes first (a truncated download is a size mismatch).
 *
 * @example
 * ```ts
 * const bytes = await backend.readFile(new URL(manifest.graphs.decoder.file, base));
 * await verifyGraphIntegrity(manifest, 'decoder', bytes);
 * ```
 */
export async function verifyGraphIntegrity(manifest: IntegrityManifest, graph: GraphRole, bytes: Uint8Array): Promise<void> {
  if (graph !== 'encoder' && graph !== 'decoder') throw new VaekitError('invalid-argument', `'graph' must be "encoder" or "decoder"; found ${describeValue(graph)}`);
  if (!(bytes instanceof Uint8Array)) throw new VaekitError('invalid-argument', `'bytes' must be a Uint8Array (the ${graph} graph's file); found ${describeValue(bytes)}`);
  const entry = manifest.graphs[graph];
  const found = await sha256Hex(bytes);
  const sizeWrong = entry.bytes != null && entry.bytes !== bytes.length;
  if (!sizeWrong && found === entry.sha256) return;
  const size = sizeWrong
    ? `is ${bytes.length} bytes, the manifest says ${entry.bytes}${bytes.length < entry.bytes! ? ' (shorter: an interrupted download?)' : ''}; `
    : '';
  throw new VaekitError(
    'integrity-mismatch',
    `${graph} graph ${entry.file} ${size}SHA-256 expected ${entry.sha256}, found ${found}` +
      (sizeWrong ? '' : ` (${bytes.length} bytes)`) +
      ': the file is not the one vaekit.json describes (re-download it, or update graphs.' + graph + '.sha256 if you replaced the graph on purpose)',
  );
}
