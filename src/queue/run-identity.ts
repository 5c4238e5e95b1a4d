/**
 * Names of a queued scoring run in Redis. The run id is a hash of everything that fixes the output
 * (model hashes, data, k, seed, chunk rows), so a restarted producer finds its own jobs and results
 * again, and two different runs never share a key.
 */
import { createHash } from 'node:crypto';
import type { VaeManifest } from '../manifest/schema.js';
import type { JobModel } from './chunk-job.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The identity of `manifest`'s graphs and calibration, as jobs carry it. */
export function jobModelOf(manifest: VaeManifest): JobModel {
  return {
    name: manifest.name,
    encoderSha256: manifest.graphs.encoder.sha256,
    decoderSha256: manifest.graphs.decoder.sha256,
    calibrationSha256: manifest.calibration ? sha256(canonicalJson(manifest.calibration)) : '',
  };
}

/**
 * The run id of a scoring run: 24 hex digits of SHA-256 over its identity and its model's.
 *
 * @example
 * ```ts
 * runIdOf({ data: 'mnist', k: 10, seed: 1, chunkRows: 50 }, jobModelOf(manifest)); // "3f1c…" (24 hex digits)
 * ```
 */
export function runIdOf(identity: unknown, model: JobModel): string {
  return sha256(canonicalJson({ identity, model })).slice(0, 24);
}

/** Redis keys of one run, beside BullMQ's `bull:<queue>:…` keys. */
export function runKeys(queueName: string, runId: string) {
  const base = `vaekit:${queueName}:${runId}`;
  return {
    /** The BullMQ job id of chunk `index` (deterministic: adding it again is a no-op; BullMQ refuses ':' in ids). */
    jobId: (index: number) => `${runId}-${index}`,
    /** Where a worker stores chunk `index`'s scores until the producer has written them. */
    result: (index: number) => `${base}:result:${index}`,
  };
}
