/**
 * The library form of `vaekit score`: score a stream of examples of any length, holding one chunk
 * of them at a time. Rows are grouped into chunks of `chunkRows` exactly as the CLI groups them, so
 * the same rows give the CLI's numbers bit for bit.
 */
import { VaekitError } from '../errors.js';
import { DEFAULT_SEED } from '../sampler/index.js';
import type { Vae } from '../vae/vae.js';
import { type ScoreChunkInput, type ScoredChunk, scoreChunk } from './score-chunk.js';

/** One example in the model's layout (`vae.inputShape` values), with its class index when labelled. */
export type ScoreRowInput = ArrayLike<number> | { x: ArrayLike<number>; label?: number };

/** The scores of one example, in nats; `percentile` is null when the model has no calibration. */
export interface RowScore {
  /** Position of the example in the input (0-based). */
  index: number;
  label: number | null;
  /** −ELBO = recon + KL (one ε draw). */
  negElbo: number;
  recon: number;
  kl: number;
  /** IWAE-k negative log-likelihood. */
  nll: number;
  percentile: number | null;
}

export interface ScoreRowsOptions {
  /** Importance samples per example; default 1000 (as `vaekit score`). */
  k?: number;
  /** Seed of ε; default DEFAULT_SEED (0). */
  seed?: number;
  /** Examples scored together; default 256 (as `vaekit score --chunk-rows`). The same value gives the CLI's numbers. */
  chunkRows?: number;
  /** Latent samples decoded per ONNX Runtime call (see `vae.logLikelihood`). */
  batchSize?: number;
}

/** Default rows per chunk of `vaekit score` and `scoreRows`. */
export const DEFAULT_CHUNK_ROWS = 256;

function checkChunkRows(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new VaekitError('invalid-argument', `'chunkRows' must be an integer ≥ 1; found ${String(value)}`);
  }
  return value;
}

/** Groups rows into chunks of `chunkRows` (the last one shorter). */
async function* chunksOf(vae: Vae, rows: AsyncIterable<ScoreRowInput> | Iterable<ScoreRowInput>, chunkRows: number): AsyncGenerator<ScoreChunkInput> {
  const features = vae.inputShape.reduce((a, b) => a * b, 1);
  let x = new Float32Array(chunkRows * features);
  let labels: Int32Array | null = null;
  let labelled: boolean | null = null;
  let count = 0;
  let first = 0;
  for await (const row of rows) {
    const values = 'x' in (row as object) && !ArrayBuffer.isView(row) ? (row as { x: ArrayLike<number> }).x : (row as ArrayLike<number>);
    const label = values === row ? undefined : (row as { label?: number }).label;
    const index = first + count;
    if (values?.length !== features) {
      throw new VaekitError('shape-mismatch', `row ${index} holds ${values?.length ?? 'no'} values; model '${vae.manifest.name}' takes ${features} (input shape [${vae.inputShape.join(', ')}])`);
    }
    labelled ??= label !== undefined;
    if (labelled !== (label !== undefined)) {
      throw new VaekitError('invalid-argument', `row ${index} ${labelled ? 'has no label' : 'has a label'} but row 0 ${labelled ? 'has one' : 'has none'}: label every row or none`);
    }
    if (labelled) {
      if (!Number.isInteger(label)) throw new VaekitError('invalid-argument', `row ${index}: 'label' must be an integer class index; found ${String(label)}`);
      labels ??= new Int32Array(chunkRows);
      labels[count] = label!;
    }
    x.set(values, count * features);
    if (++count === chunkRows) {
      yield { first, count, x, labels };
      first += count;
      count = 0;
      x = new Float32Array(chunkRows * features);
      labels = labelled ? new Int32Array(chunkRows) : null;
    }
  }
  if (count > 0) yield { first, count, x: x.slice(0, count * features), labels: labels?.slice(0, count) ?? null };
}

/**
 * Scores every example of `rows` — an array, a generator, a stream — with −ELBO (and its
 * reconstruction and KL terms) and the IWAE-k negative log-likelihood, plus the percentile against
 * the model's calibration when it has one. Memory holds one chunk of `chunkRows` examples;
 * results come in input order, one per example.
 *
 * @example
 * ```ts
 * import { Vae, scoreRows } from 'vaekit';
 * const vae = await Vae.load('models/mnist-mlp');
 * async function* digits() { yield new Float32Array(784).fill(0.5); yield new Float32Array(784); }
 * for await (const s of scoreRows(vae, digits(), { k: 100 })) console.log(s.index, s.nll, s.percentile);
 * await vae.dispose();
 * ```
 */
export async function* scoreRows(
  vae: Vae,
  rows: AsyncIterable<ScoreRowInput> | Iterable<ScoreRowInput>,
  options: ScoreRowsOptions = {},
): AsyncGenerator<RowScore> {
  const chunkRows = checkChunkRows(options.chunkRows ?? DEFAULT_CHUNK_ROWS);
  const settings = { k: options.k ?? 1000, seed: options.seed ?? DEFAULT_SEED, batchSize: options.batchSize };
  for await (const chunk of chunksOf(vae, rows, chunkRows)) yield* rowScores(await scoreChunk(vae, chunk, settings));
}

/** A scored chunk as one result per row. */
export function* rowScores(chunk: ScoredChunk): Generator<RowScore> {
  for (let i = 0; i < chunk.count; i++) {
    yield {
      index: chunk.first + i,
      label: chunk.labels ? chunk.labels[i]! : null,
      negElbo: chunk.negElbo[i]!,
      recon: chunk.recon[i]!,
      kl: chunk.kl[i]!,
      nll: chunk.nll[i]!,
      percentile: chunk.percentile ? chunk.percentile[i]! : null,
    };
  }
}
