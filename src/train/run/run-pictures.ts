import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { samplePrior } from '../../sampler/index.js';
import type { TrainConfig } from '../config.js';
import type { Dataset } from '../data/dataset.js';
import { featureCount, gatherRows, oneHotLabels } from '../data/dataset.js';
import type { EpochMetrics } from '../objective/metrics.js';
import { describeArchitecture } from '../model/build.js';
import type { VaeModels } from '../model/types.js';
import { writeImageGrid, writeLossCurve, writeReconstructionGrid } from '../report/index.js';
import { STREAMS } from '../streams.js';
import { conditionClasses } from '../objective/condition.js';

const PRIOR_SAMPLES = 64;
const RECONSTRUCTIONS = 32;
/** Temperature of a CVAE's per-class sample grid. */
const CLASS_GRID_TEMPERATURE = 0.6;

/** A picture's caption of the run, e.g. `mnist · MLP 784-400-20 · bernoulli · seed 1` (AAE runs say so). */
export function describeRun(config: TrainConfig, dataset: Dataset): string {
  const objective = config.objective === 'aae' ? ' · adversarial autoencoder' : '';
  return `${config.data} · ${describeArchitecture(config.architecture, featureCount(dataset))} · ${config.likelihood.kind}${objective} · seed ${config.seed}`;
}

/** The decoder's `mean` output (by name: it follows `logits`, or precedes `logvar_x`). */
function decodeMean(models: VaeModels, z: tf.Tensor, c?: tf.Tensor): Float32Array {
  return tf.tidy(() => {
    const outputs = models.decoder.predict(c ? [z, c] : z) as tf.Tensor | tf.Tensor[];
    const mean = Array.isArray(outputs) ? outputs[models.decoder.outputNames.indexOf('mean')]! : outputs;
    return mean.dataSync() as Float32Array;
  });
}

/**
 * Writes the pictures of a run: `loss-curve.png` (train/test −ELBO and KL per epoch) and, for
 * image data, `samples.png` (64 draws from the prior, decoder mean) and `reconstructions.png`
 * (test examples beside the decoder mean at z = μ). Rewritten after every epoch.
 */
export async function writeRunPictures(
  runDir: string,
  run: { history: EpochMetrics[]; models: VaeModels; dataset: Dataset; config: TrainConfig; final: boolean },
): Promise<string[]> {
  const { history, models, dataset, config } = run;
  const files = ['loss-curve.png'];
  await writeLossCurve(join(runDir, 'loss-curve.png'), history, {
    title: describeRun(config, dataset),
  });
  if (dataset.layout !== 'hwc') return files;
  const [height, width, channels] = dataset.shape as [number, number, 1 | 3];
  const J = config.architecture.latentDim;
  const classes = conditionClasses(config, dataset);
  // A CVAE's grid has one row per class (8 prior draws each), labelled, at temperature 0.6: full-
  // temperature draws often land where the posterior put no mass and blur the class; otherwise
  // 8 × 8 draws at temperature 1.
  const count = classes ? classes * 8 : PRIOR_SAMPLES;
  const eps = samplePrior(count, J, { seed: config.seed, stream: STREAMS.priorGrid, temperature: classes ? CLASS_GRID_TEMPERATURE : 1 });
  const rowClasses = classes ? Array.from({ length: count }, (_, i) => Math.floor(i / 8)) : null;
  const c = classes && rowClasses ? tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(rowClasses, 'int32'), classes), 'float32')) : undefined;
  const samples = decodeMean(models, tf.tensor2d(eps, [count, J]), c);
  c?.dispose();
  await writeImageGrid(join(runDir, 'samples.png'), samples, {
    count, height, width, channels, columns: 8,
    ...(rowClasses && dataset.classes ? { labels: rowClasses.map((k) => dataset.classes![k]!) } : {}),
  });
  files.push('samples.png');

  const shown = Math.min(RECONSTRUCTIONS, dataset.test.count);
  const stride = Math.max(1, Math.floor(dataset.test.count / shown));
  const rows = Array.from({ length: shown }, (_, i) => i * stride);
  const originals = gatherRows(dataset.test, featureCount(dataset), rows);
  const reconstructions = tf.tidy(() => {
    const x = tf.tensor(originals, [shown, ...dataset.shape]);
    const cond = classes ? tf.tensor2d(oneHotLabels(dataset.test, classes, rows), [shown, classes]) : undefined;
    const [mu] = models.encoder.predict(cond ? [x, cond] : x) as tf.Tensor[];
    return decodeMean(models, mu!, cond);
  });
  await writeReconstructionGrid(join(runDir, 'reconstructions.png'), originals, reconstructions, {
    count: shown, height, width, channels, columns: 8,
  });
  files.push('reconstructions.png');
  return files;
}
