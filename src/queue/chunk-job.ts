/**
 * What travels through Redis for one chunk: the job (rows as float32 bytes, labels, the model's
 * identity and the score settings) and the result (the chunk's scores as float64 bytes). Base64
 * inside JSON because BullMQ stores job data as JSON. The rows are deflated first (level 1): image
 * rows shrink ~8× (MNIST: 313 600 → 36 454 bytes per 100 rows), and deflate + base64 of the small
 * result costs the producer less than base64 of the raw bytes. Bytes are in the machine's order:
 * little-endian on every platform ONNX Runtime ships for.
 */
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { VaekitError } from '../errors.js';
import type { ScoreChunkInput, ScoredChunk, ScoreSettings } from '../score/score-chunk.js';

export const CHUNK_JOB_FORMAT = 'vaekit-score-chunk/1';
const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);
export const CHUNK_RESULT_FORMAT = 'vaekit-score-result/1';

/** The model a job must be scored with: a worker refuses a job whose hashes differ from its own. */
export interface JobModel {
  name: string;
  encoderSha256: string;
  decoderSha256: string;
  /** SHA-256 of the manifest's calibration record ('' without one): percentiles depend on it. */
  calibrationSha256: string;
}

export interface ChunkJobData {
  format: typeof CHUNK_JOB_FORMAT;
  runId: string;
  index: number;
  first: number;
  count: number;
  /** Values per row. */
  features: number;
  /** count × features float32, raw-deflated, base64. */
  x: string;
  /** count int32 labels, base64, or null. */
  labels: string | null;
  model: JobModel;
  settings: ScoreSettings;
}

/** A chunk's scores as stored under its result key; the labels stay with the producer. */
export interface ChunkResultData {
  format: typeof CHUNK_RESULT_FORMAT;
  index: number;
  first: number;
  count: number;
  /** The BullMQ worker name (host:pid) that scored it. */
  worker: string;
  seconds: number;
  negElbo: string;
  recon: string;
  kl: string;
  nll: string;
  percentile: string | null;
}

const view = (a: Float32Array | Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const bytesOf = (a: Float32Array | Float64Array | Int32Array) => view(a).toString('base64');

/** A fresh, aligned copy of base64 `text` (Buffer.from may return an unaligned view of its pool). */
function decode(text: string, bytesPerValue: number, expected: number, what: string, inflated?: Buffer): ArrayBuffer {
  const bytes = inflated ?? Buffer.from(text, 'base64');
  if (bytes.byteLength !== expected * bytesPerValue) {
    throw new VaekitError('invalid-data', `${what}: expected ${expected} values (${expected * bytesPerValue} bytes), found ${bytes.byteLength} bytes`);
  }
  return new Uint8Array(bytes).buffer;
}

export async function encodeChunkJob(runId: string, index: number, chunk: ScoreChunkInput, features: number, model: JobModel, settings: ScoreSettings): Promise<ChunkJobData> {
  return {
    format: CHUNK_JOB_FORMAT,
    runId,
    index,
    first: chunk.first,
    count: chunk.count,
    features,
    x: (await deflate(view(chunk.x), { level: 1 })).toString('base64'),
    labels: chunk.labels ? bytesOf(chunk.labels) : null,
    model,
    settings: { k: settings.k, seed: settings.seed, ...(settings.batchSize === undefined ? {} : { batchSize: settings.batchSize }) },
  };
}

/** The job's rows, checked against its own counts; `invalid-data` names what disagrees. */
export async function decodeChunkJob(data: ChunkJobData): Promise<ScoreChunkInput> {
  if (data?.format !== CHUNK_JOB_FORMAT) throw new VaekitError('invalid-data', `job data: expected format '${CHUNK_JOB_FORMAT}', found '${String(data?.format)}'`);
  const what = `chunk ${data.index} (${rowRange(data.first, data.count)})`;
  const x = await inflate(Buffer.from(data.x, 'base64'), { maxOutputLength: data.count * data.features * 4 + 1 }).catch((cause: Error) => {
    throw new VaekitError('invalid-data', `${what} x: not raw-deflated float32 rows (${cause.message})`, { cause });
  });
  return {
    first: data.first,
    count: data.count,
    x: new Float32Array(decode(data.x, 4, data.count * data.features, `${what} x`, x)),
    labels: data.labels === null ? null : new Int32Array(decode(data.labels, 4, data.count, `${what} labels`)),
  };
}

export function encodeChunkResult(index: number, scored: ScoredChunk, worker: string, seconds: number): ChunkResultData {
  return {
    format: CHUNK_RESULT_FORMAT,
    index,
    first: scored.first,
    count: scored.count,
    worker,
    seconds,
    negElbo: bytesOf(scored.negElbo),
    recon: bytesOf(scored.recon),
    kl: bytesOf(scored.kl),
    nll: bytesOf(scored.nll),
    percentile: scored.percentile ? bytesOf(scored.percentile) : null,
  };
}

/** The ScoredChunk of a stored result, with the producer's own labels of the chunk. */
export function decodeChunkResult(data: ChunkResultData, labels: Int32Array | null): ScoredChunk {
  if (data?.format !== CHUNK_RESULT_FORMAT) throw new VaekitError('invalid-data', `chunk result: expected format '${CHUNK_RESULT_FORMAT}', found '${String(data?.format)}'`);
  const what = `result of chunk ${data.index}`;
  const f64 = (text: string, name: string) => new Float64Array(decode(text, 8, data.count, `${what} ${name}`));
  return {
    first: data.first,
    count: data.count,
    labels,
    negElbo: f64(data.negElbo, 'negElbo'),
    recon: f64(data.recon, 'recon'),
    kl: f64(data.kl, 'kl'),
    nll: f64(data.nll, 'nll'),
    percentile: data.percentile === null ? null : f64(data.percentile, 'percentile'),
  };
}

/** `rows 150–199` (inclusive, 0-based global indices). */
export function rowRange(first: number, count: number): string {
  return `rows ${first}–${first + count - 1}`;
}
