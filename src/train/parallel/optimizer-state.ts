/** Adam's whole state as plain arrays, so a replica worker can start from the main thread's optimizer. */
import * as tf from '@tensorflow/tfjs-core';

export interface OptimizerSnapshot {
  /** `getWeights()`: the iteration count, then each variable's first and second moments. */
  weights: { name: string; shape: number[]; data: Float32Array }[];
  accBeta1: number;
  accBeta2: number;
}

interface AdamAccumulators {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

export async function captureOptimizer(optimizer: tf.AdamOptimizer): Promise<OptimizerSnapshot> {
  const weights = await optimizer.getWeights();
  const snapshot = weights.map((w) => ({ name: w.name, shape: [...w.tensor.shape], data: Float32Array.from(w.tensor.dataSync()) }));
  // getWeights' iteration count is a new tensor; the moments are the optimizer's own.
  weights[0]?.tensor.dispose();
  const acc = optimizer as unknown as AdamAccumulators;
  return { weights: snapshot, accBeta1: acc.accBeta1.dataSync()[0]!, accBeta2: acc.accBeta2.dataSync()[0]! };
}

export async function restoreOptimizerSnapshot(optimizer: tf.AdamOptimizer, snapshot: OptimizerSnapshot): Promise<void> {
  const weights = snapshot.weights.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape) }));
  await optimizer.setWeights(weights);
  tf.dispose(weights.map((w) => w.tensor)); // setWeights copied them into new variables
  const acc = optimizer as unknown as AdamAccumulators;
  acc.accBeta1.assign(tf.scalar(snapshot.accBeta1));
  acc.accBeta2.assign(tf.scalar(snapshot.accBeta2));
}
