/**
 * Scores one chunk of a data set: the unit of work of `vaekit score`, of its resume, and of a
 * BullMQ job. ε of row i (global index `first + i`) depends only on (seed, stream, offset), so a
 * data set scored in chunks — by one process or by many workers — gives the numbers of one run.
 */
import { VaekitError } from '../errors.js';
import type { Vae } from '../vae/vae.js';
import { ELBO_STREAM, IWAE_STREAM } from '../vae/anomaly-streams.js';
import { scorePercentiles } from '../vae/calibration.js';

/** Rows `first … first + count − 1` of a data set, in the model's layout. */
export interface ScoreChunkInput {
  first: number;
  count: number;
  /** count × features values. */
  x: Float32Array;
  /** Class index per row when the data is labelled (a conditional model needs them). */
  labels: Int32Array | null;
}

/** Scores of one chunk, float64, nats; `percentile` is null when the model has no calibration. */
export interface ScoredChunk {
  first: number;
  count: number;
  labels: Int32Array | null;
  /** −ELBO = reconstruction + KL (one ε draw). */
  negElbo: Float64Array;
  /** −E_q log p(x|z), the reconstruction term. */
  recon: Float64Array;
  kl: Float64Array;
  /** IWAE-k negative log-likelihood. */
  nll: Float64Array;
  /** Percentile (0–100) of `nll` against the manifest's calibration. */
  percentile: Float64Array | null;
}

export interface ScoreSettings {
  /** Importance samples per row. */
  k: number;
  seed: number;
  /** Latent samples decoded per ONNX Runtime call (the SDK's `batchSize`). */
  batchSize?: number;
}

/** ε streams of the two scores (one definition with vae.anomaly and the calibration): −ELBO draws row i's ε at offset i·J, IWAE at i·k·J of its own stream. */
export { ELBO_STREAM, IWAE_STREAM };

/**
 * Scores a chunk with `vae`: −ELBO terms on stream ELBO_STREAM and IWAE-k on IWAE_STREAM, at the
 * offsets of the chunk's global rows. The same chunk boundaries give bit-identical results in any
 * process (ONNX Runtime sees the same batches).
 *
 * @example
 * ```ts
 * const scored = await scoreChunk(vae, { first: 0, count: n, x, labels: null }, { k: 100, seed: 0 });
 * ```
 */
export async function scoreChunk(vae: Vae, chunk: ScoreChunkInput, settings: ScoreSettings): Promise<ScoredChunk> {
  const { first, count, x, labels } = chunk;
  const J = vae.latentDim;
  if (vae.manifest.condition && !labels) {
    throw new VaekitError('condition-mismatch', `model '${vae.manifest.name}' is conditional: scoring needs a label per row; the data has none`);
  }
  const c = vae.manifest.condition ? labels! : undefined;
  const elbo = await vae.elbo(x, { seed: settings.seed, stream: ELBO_STREAM, offset: first * J, c });
  const ll = await vae.logLikelihood(x, { k: settings.k, seed: settings.seed, stream: IWAE_STREAM, offset: first * settings.k * J, batchSize: settings.batchSize, c });
  const nll = ll.perExample.map((v) => -v);
  const calibration = vae.manifest.calibration;
  return {
    first,
    count,
    labels,
    negElbo: elbo.perExample.map((v) => -v),
    recon: elbo.logLikelihood.map((v) => -v),
    kl: elbo.kl,
    nll,
    percentile: calibration ? scorePercentiles(calibration, 'nll', nll) : null,
  };
}
