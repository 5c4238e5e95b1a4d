import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DataSplit } from '../data/dataset.js';

/** Name of the decoder layer whose bias holds the per-feature output offset. */
export const DECODER_OUTPUT_LAYER = 'decoder_output';

/**
 * Sets the decoder's output bias to the logit of each feature's mean over the training data
 * (clipped to [1e-3, 1 − 1e-3]), as Burda et al.'s IWAE code does: the untrained decoder then
 * predicts the average image instead of grey, so early steps shape the latent code instead of
 * learning the mean, and 20 epochs reach a lower −ELBO. For outputs squashed by a sigmoid only.
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
  for (let j = 0; j < size; j++) {
    const p = Math.min(1 - 1e-3, Math.max(1e-3, perGroup[j]! / Math.max(1, train.count)));
    logits[j] = Math.log(p / (1 - p));
  }
  const bias = tf.tensor1d(logits);
  layer.setWeights([kernel!, bias]);
  bias.dispose();
}
