/**
 * Adam's state between tfjs' optimizer (what checkpoints save and restore) and the flat float32
 * arrays vaekit's own Adam (shared-adam.ts) works on.
 */
import * as tf from '@tensorflow/tfjs-core';
import { VaekitError } from '../../errors.js';

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

/** The parameters and Adam moments of `variables`, flattened in their order. */
export interface FlatState {
  weights: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/** `variables`' values and the snapshot's moments (zeros before the optimizer's first step) into `state`. */
export function loadFlatState(state: FlatState, variables: readonly tf.Variable[], snapshot: OptimizerSnapshot): void {
  const n = variables.length;
  const moments = snapshot.weights.slice(1);
  if (moments.length !== 0 && moments.length !== 2 * n) {
    throw new VaekitError('checkpoint-mismatch', `the optimizer holds ${moments.length} moment tensors; ${2 * n} expected for ${n} variables`);
  }
  let offset = 0;
  variables.forEach((v, i) => {
    state.weights.set(v.dataSync(), offset);
    state.m.set(moments[i]?.data ?? new Float32Array(v.size), offset);
    state.v.set(moments[n + i]?.data ?? new Float32Array(v.size), offset);
    offset += v.size;
  });
}

/** Sets tfjs' `optimizer` to the flat moments, the step count and β₁ᵗ, β₂ᵗ, as if it had taken the steps itself. */
export async function restoreFlatMoments(
  optimizer: tf.AdamOptimizer,
  variables: readonly tf.Variable[],
  state: Pick<FlatState, 'm' | 'v'>,
  counters: { iterations: number; accBeta1: number; accBeta2: number },
): Promise<void> {
  const moments = (which: 'm' | 'v') => {
    let offset = 0;
    return variables.map((v) => {
      const data = state[which].slice(offset, offset + v.size);
      offset += v.size;
      return { name: `${v.name}/${which}`, shape: [...v.shape], data };
    });
  };
  await restoreOptimizerSnapshot(optimizer, {
    weights: [{ name: 'iter', shape: [], data: Float32Array.of(counters.iterations) }, ...moments('m'), ...moments('v')],
    accBeta1: counters.accBeta1,
    accBeta2: counters.accBeta2,
  });
}
