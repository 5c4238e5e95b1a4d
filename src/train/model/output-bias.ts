import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DataSplit } from '../data/dataset.js';

/** Name of the decoder layer whose bias holds the per-feature output offset. */
export const DECODER_OUTPUT_LAYER = 'decoder_output';
/** Name of a CVAE decoder's per-class output offset (a Dense layer on c without bias). */
export const DECODER_CLASS_OFFSET_LAYER = 'decoder_class_offset';

/** The logit of a mean in [0, 1], clipped to [1e-3, 1 − 1e-3] so empty pixels stay finite. */
function logit(p: number): number {
  const q = Math.min(1 - 1e-3, Math.max(1e-3, p));
  return Math.log(q / (1 - q));
}

/**
 * Sets the decoder's output bias to the logit of each feature's mean over the training data
 * (clipped to [1e-3, 1 − 1e-3]), as Burda et al.'s IWAE code does: the untrained decoder then
 * predicts the average image instead of grey, so early steps shape the latent code instead of
 * learning the mean, and 20 epochs reach a lower −ELBO. For outputs squashed by a sigmoid only.
 *
 * A CVAE gets the same per class: row k of its class offset is set to logit(mean image of class k)
 * − bias, so the untrained decoder draws each class's average digit and z is left the style.
 */
export function initializeOutputBiasFromData(decoder: tfl.LayersModel, train: DataSplit, features: number): void {
  const mean = new Float64Array(features);
  for (let i = 0; i < train.count; i++) {
    const row = train.x.subarray(i * features, (i + 1) * features);
    for (let j = 0; j < features; j++) mean[j]! += row[j]!;
  }
  const layer = decoder.getLayer(DECODER_OUTPUT_LAYER);
  // getWeights() returns the live variables (not copies): keep the kernel, replace the bias.
  const [kernel, current] = layer.getWeights();
  // A dense output layer has one bias per feature; a conv one, one per channel (mean over pixels).
  const size = current!.shape[0]!;
  const perGroup = new Float64Array(size);
  for (let j = 0; j < features; j++) perGroup[j % size]! += mean[j]! / (features / size);
  const logits = new Float32Array(size);
  for (let j = 0; j < size; j++) logits[j] = logit(perGroup[j]! / Math.max(1, train.count));
  const bias = tf.tensor1d(logits);
  layer.setWeights([kernel!, bias]);
  bias.dispose();

  const offset = decoder.layers.find((l) => l.name === DECODER_CLASS_OFFSET_LAYER);
  if (offset && train.labels) {
    const rows = classOffsetRows(train, offset.getWeights()[0]!.shape[0]!, features, logits);
    offset.setWeights([rows]);
    rows.dispose();
  }
}

/**
 * The class offset's kernel [classes, features]: row k is logit(class k's mean) − the output bias
 * of each feature (one per feature, or per channel of an NHWC image); a class absent from `train`
 * keeps a zero row (the overall mean).
 */
function classOffsetRows(train: DataSplit, classes: number, features: number, bias: Float32Array): tf.Tensor2D {
  const labels = train.labels!;
  const sums = new Float64Array(classes * features);
  const counts = new Float64Array(classes);
  for (let i = 0; i < train.count; i++) {
    const k = labels[i]!;
    counts[k]!++;
    for (let j = 0; j < features; j++) sums[k * features + j]! += train.x[i * features + j]!;
  }
  const rows = new Float32Array(classes * features);
  for (let k = 0; k < classes; k++) {
    if (counts[k] === 0) continue;
    for (let j = 0; j < features; j++) rows[k * features + j] = logit(sums[k * features + j]! / counts[k]!) - bias[j % bias.length]!;
  }
  return tf.tensor2d(rows, [classes, features]);
}
