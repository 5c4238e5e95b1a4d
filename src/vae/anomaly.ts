/**
 * `vae.anomaly`: how unusual each example is for the model, as a score, its percentile against the
 * held-out reference the manifest records (src/vae/calibration.ts), and a flag above a threshold.
 * Row i of a call draws ε where `vaekit score` and the calibration draw it for row `first + i`, so
 * the reference rows score exactly as they did when the model was calibrated.
 */
import { VaekitError, describeValue } from '../errors.js';
import type { ManifestCalibration, VaeManifest } from '../manifest/schema.js';
import { ELBO_STREAM, IWAE_STREAM } from './anomaly-streams.js';
import { DEFAULT_SEED } from '../sampler/index.js';
import { checkCallback, checkOptionsObject } from './arguments.js';
import { scoreAtPercentile, scorePercentiles, type CalibratedScore } from './calibration.js';
import { complexityBits, complexityDims } from './complexity.js';
import type { ConditionInput } from './conditions.js';
import { toBatch, type ExamplesInput } from './inputs.js';
import type { ElboResult, ScoreResult } from './results.js';
import type { VaeTensor } from './tensor.js';

/** What anomaly scoring uses of a Vae (structural, so this file and vae.ts do not import each other). */
export interface ScoringModel {
  readonly manifest: VaeManifest;
  readonly inputShape: readonly number[];
  readonly latentDim: number;
  elbo(x: VaeTensor, options: { seed: number; stream: number; offset: number; c?: ConditionInput }): Promise<ElboResult>;
  logLikelihood(
    x: VaeTensor,
    options: { k: number; seed: number; stream: number; offset: number; c?: ConditionInput; batchSize?: number; onProgress?: (done: number, total: number) => void },
  ): Promise<ScoreResult>;
}

/** The two likelihood scores an anomaly score is built on (nats; higher is more unusual). */
export type AnomalyScoreKind = 'nll' | 'negElbo';

/**
 * Options of `vae.anomaly(x, options)`, each with its default. It returns per example the score,
 * its percentile among the held-out reference rows the manifest's calibration records (written at
 * export and by `vaekit calibrate`) and a flag above `threshold`; a model without calibration
 * throws `not-calibrated`.
 *
 * @example
 * ```ts
 * import { Vae } from 'vaekit';
 * const vae = await Vae.load('models/mnist-mlp');
 * const x = new Float32Array(2 * 784);
 * x.set((await vae.sample(1, { seed: 1 })).mean.data);  // a digit the model drew
 * x.fill(1, 784);                                        // an all-white image
 * const { score, percentile, flag } = await vae.anomaly(x, { k: 100, threshold: 99 });
 * flag[0]; // 0
 * flag[1]; // 1
 * percentile[1]; // 100
 * await vae.dispose();
 * ```
 */
export interface AnomalyOptions {
  /** `nll` (default): the IWAE-k negative log-likelihood; `negElbo`: −ELBO, one ε draw (faster, looser). */
  score?: AnomalyScoreKind;
  /** Importance samples of the `nll` score; default: the calibration's k (the reference was scored with it). */
  k?: number;
  /** Seed of ε; default 0. */
  seed?: number;
  /** Global index of the first row (default 0): rows scored in pieces draw the ε of one call. */
  first?: number;
  /** Flag examples above this percentile (0–100) of the reference scores; default 99. */
  threshold?: number;
  /**
   * Subtract the input's complexity L(x)·ln 2 (PNG-deflate bits, Serrà et al. 2020) from the score:
   * corrects likelihood models that find simple images likely whatever they were trained on.
   * Image models only; default false.
   */
  complexity?: boolean;
  /** Labels of a conditional model, one per row. */
  c?: ConditionInput;
  /** Latent samples decoded per ONNX Runtime call (as in logLikelihood). */
  batchSize?: number;
  /** `nll`: (example, sample) pairs scored so far, of n·k. */
  onProgress?: (done: number, total: number) => void;
}

/** What `vae.anomaly` returns: one entry per example. */
export interface AnomalyResult {
  /** The score, nats: `score` of the options, minus L(x)·ln 2 with `complexity`. */
  score: Float64Array;
  /** Percentile (0–100) of the score among the calibration's reference scores. */
  percentile: Float64Array;
  /** 1 when the percentile is above the threshold, else 0. */
  flag: Uint8Array;
  /** L(x) in bits, with `complexity`. */
  complexityBits?: Float64Array;
  /** The threshold as a percentile and as the score at that percentile of the reference. */
  threshold: { percentile: number; score: number };
  /** The calibration's quantile array the percentiles come from. */
  reference: CalibratedScore;
}

/** The model's calibration, or a refusal that says how to add one. */
export function requireCalibration(vae: ScoringModel): ManifestCalibration {
  const calibration = vae.manifest.calibration;
  if (!calibration) {
    throw new VaekitError(
      'not-calibrated',
      `model '${vae.manifest.name}' has no calibration: its vaekit.json records no reference score distribution to take percentiles against; ` +
        'add one with `vaekit calibrate MODEL --data <reference data>` (models exported by this vaekit have one)',
    );
  }
  return calibration;
}

/**
 * Scores `x` as `vae.anomaly` does (see AnomalyOptions): the chosen score, optionally adjusted for
 * input complexity, its percentile against the calibration and the flag.
 */
export async function anomaly(vae: ScoringModel, x: ExamplesInput, options: AnomalyOptions = {}): Promise<AnomalyResult> {
  const o = checkOptionsObject(options);
  const calibration = requireCalibration(vae);
  const kind = o.score ?? 'nll';
  if (kind !== 'nll' && kind !== 'negElbo') throw new VaekitError('invalid-argument', `'score' must be 'nll' or 'negElbo'; found ${describeValue(kind)}`);
  const threshold = o.threshold ?? 99;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 100)) {
    throw new VaekitError('invalid-argument', `'threshold' must be a percentile in [0, 100]; found ${describeValue(threshold)}`);
  }
  if (o.complexity !== undefined && typeof o.complexity !== 'boolean') {
    throw new VaekitError('invalid-argument', `'complexity' must be true or false; found ${describeValue(o.complexity)}`);
  }
  const first = o.first ?? 0;
  if (!Number.isSafeInteger(first) || first < 0) throw new VaekitError('invalid-argument', `'first' must be an integer ≥ 0 (the global index of the first row); found ${describeValue(first)}`);
  checkCallback(o.onProgress, 'onProgress');
  const reference: CalibratedScore = o.complexity ? `${kind}Complexity` : kind;
  if (o.complexity) complexityDims(vae.manifest.input, vae.manifest.name);
  if (!calibration.quantiles[reference]) {
    throw new VaekitError('not-calibrated', `model '${vae.manifest.name}' was calibrated without input complexity (no '${reference}' quantiles); recalibrate it with \`vaekit calibrate MODEL --data …\``);
  }

  const batch = toBatch(x, vae.inputShape, 'x', vae.manifest.input.layout);
  const score = await likelihoodScore(vae, batch, kind, { k: o.k ?? calibration.k, seed: o.seed ?? DEFAULT_SEED, first, c: o.c, batchSize: o.batchSize, onProgress: o.onProgress });
  let bits: Float64Array | undefined;
  if (o.complexity) {
    bits = complexityBits(batch.data, batch.shape[0]!, vae.manifest.input, vae.manifest.name);
    for (let i = 0; i < score.length; i++) score[i] = score[i]! - bits[i]! * Math.LN2;
  }
  const percentile = scorePercentiles(calibration, reference, score);
  const flag = new Uint8Array(score.length);
  for (let i = 0; i < score.length; i++) flag[i] = percentile[i]! > threshold ? 1 : 0;
  return {
    score, percentile, flag, reference,
    ...(bits ? { complexityBits: bits } : {}),
    threshold: { percentile: threshold, score: scoreAtPercentile(calibration, reference, threshold) },
  };
}

/** Settings of a likelihood score: ε of row i comes from where `vaekit score` draws it for row first + i. */
export interface LikelihoodScoreSettings {
  k: number;
  seed: number;
  first: number;
  c?: ConditionInput;
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** −ELBO (stream ELBO_STREAM) or the IWAE-k NLL (stream IWAE_STREAM) of each row, nats. */
export async function likelihoodScore(vae: ScoringModel, x: VaeTensor, kind: AnomalyScoreKind, s: LikelihoodScoreSettings): Promise<Float64Array> {
  const J = vae.latentDim;
  if (kind === 'negElbo') {
    const elbo = await vae.elbo(x, { seed: s.seed, stream: ELBO_STREAM, offset: s.first * J, c: s.c });
    return elbo.perExample.map((v) => -v);
  }
  const ll = await vae.logLikelihood(x, {
    k: s.k, seed: s.seed, stream: IWAE_STREAM, offset: s.first * s.k * J, c: s.c,
    ...(s.batchSize !== undefined ? { batchSize: s.batchSize } : {}),
    ...(s.onProgress ? { onProgress: s.onProgress } : {}),
  });
  return ll.perExample.map((v) => -v);
}
