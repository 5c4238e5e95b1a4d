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
 * `VaekitError('integrity-mismatch')` naming the file, the expected and the found SHA-256 — or,
 * when the manifest records `bytes` and they differ, both sizes (without hashing a byte).
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
  const fix = (fields: string) => `the file is not the one vaekit.json describes (re-download it, or update graphs.${graph}.${fields} if you replaced the graph on purpose)`;
  // A size mismatch is decided without hashing: a hostile 1.5 GB graph costs nothing to refuse.
  if (entry.bytes != null && entry.bytes !== bytes.length) {
    const shorter = bytes.length < entry.bytes ? ' (shorter: an interrupted download?)' : '';
    throw new VaekitError('integrity-mismatch', `${graph} graph ${entry.file} is ${bytes.length} bytes, the manifest says ${entry.bytes}${shorter}: ${fix('bytes and .sha256')}`);
  }
  const found = await sha256Hex(bytes);
  if (found === entry.sha256) return;
  throw new VaekitError('integrity-mismatch', `${graph} graph ${entry.file} SHA-256 expected ${entry.sha256}, found ${found} (${bytes.length} bytes): ${fix('sha256')}`);
}
