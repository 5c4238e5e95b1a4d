/**
 * Measures a model's calibration record: its anomaly scores on reference data (held-out rows the
 * model did not train on), summarized as quantiles on CALIBRATION_GRID. Used at export and by
 * `vaekit calibrate`; `vae.anomaly` takes percentiles against the result.
 */
import { VaekitError } from '../errors.js';
import type { ManifestCalibration } from '../manifest/schema.js';
import { likelihoodScore } from './anomaly.js';
import { CALIBRATION_GRID, quantiles } from './calibration.js';
import { COMPLEXITY_COMPRESSOR, complexityBits } from './complexity.js';
import { imageDims } from './pixel-layout.js';
import type { Vae } from './vae.js';

export interface CalibrationSettings {
  /** What the reference is, for people: e.g. `mnist test split (997 rows)`. */
  data: string;
  /** Importance samples of the NLL score. */
  k: number;
  seed: number;
  /** Labels of a conditional model, one per row. */
  labels?: ArrayLike<number> | null;
  batchSize?: number;
  /** `phase` names the score being computed; done/total count its units (rows, or row·sample pairs). */
  onProgress?: (phase: 'negElbo' | 'nll' | 'complexity', done: number, total: number) => void;
}

/** The per-row scores behind a calibration (also what the study scripts plot). */
export interface ReferenceScores {
  negElbo: Float64Array;
  nll: Float64Array;
  /** L(x) in bits; null for a model whose input is not an image. */
  complexityBits: Float64Array | null;
}

/**
 * Scores n reference rows (the model's layout) with the streams of `vae.anomaly` and `vaekit
 * score` (row i at global index i): −ELBO, IWAE-k NLL and, for an image model, L(x).
 */
export async function referenceScores(vae: Vae, x: Float32Array, n: number, s: CalibrationSettings): Promise<ReferenceScores> {
  const batch = { data: x, shape: [n, ...vae.inputShape] };
  const c = vae.manifest.condition ? (s.labels ?? undefined) : undefined;
  if (vae.manifest.condition && !c) {
    throw new VaekitError('condition-mismatch', `model '${vae.manifest.name}' is conditional: its calibration needs a label per reference row; the data has none`);
  }
  const common = { k: s.k, seed: s.seed, first: 0, ...(c ? { c } : {}), ...(s.batchSize !== undefined ? { batchSize: s.batchSize } : {}) };
  s.onProgress?.('negElbo', 0, n);
  const negElbo = await likelihoodScore(vae, batch, 'negElbo', common);
  s.onProgress?.('negElbo', n, n);
  const nll = await likelihoodScore(vae, batch, 'nll', { ...common, onProgress: (done, total) => s.onProgress?.('nll', done, total) });
  let bits: Float64Array | null = null;
  if (imageDims(vae.manifest.input.shape, vae.manifest.input.layout)) {
    s.onProgress?.('complexity', 0, n);
    bits = complexityBits(x, n, vae.manifest.input, vae.manifest.name);
    s.onProgress?.('complexity', n, n);
  }
  return { negElbo, nll, complexityBits: bits };
}

/** The calibration record of reference scores: quantiles on CALIBRATION_GRID (definition 7, see `quantiles`). */
export function calibrationRecord(scores: ReferenceScores, s: Pick<CalibrationSettings, 'data' | 'k' | 'seed'>): ManifestCalibration {
  const n = scores.nll.length;
  const p = [...CALIBRATION_GRID];
  const bits = scores.complexityBits;
  const adjusted = (values: Float64Array) => values.map((v, i) => v - bits![i]! * Math.LN2);
  return {
    data: s.data,
    count: n,
    k: s.k,
    seed: s.seed,
    quantiles: {
      p,
      negElbo: quantiles(scores.negElbo, p),
      nll: quantiles(scores.nll, p),
      ...(bits ? { negElboComplexity: quantiles(adjusted(scores.negElbo), p), nllComplexity: quantiles(adjusted(scores.nll), p) } : {}),
    },
    ...(bits ? { compressor: COMPLEXITY_COMPRESSOR } : {}),
  };
}

/**
 * Scores the reference rows and returns the calibration record to store in the manifest.
 *
 * @example
 * ```ts
 * const calibration = await measureCalibration(vae, x, n, { data: 'mnist test split', k: 1000, seed: 0 });
 * const manifest = { ...vae.manifest, calibration };
 * ```
 */
export async function measureCalibration(vae: Vae, x: Float32Array, n: number, s: CalibrationSettings): Promise<ManifestCalibration> {
  if (n < 2) throw new VaekitError('invalid-argument', `a calibration needs at least 2 reference rows; found ${n}`);
  return calibrationRecord(await referenceScores(vae, x, n, s), s);
}
