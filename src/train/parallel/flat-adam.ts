/**
 * Adam for one-thread training on the flattened parameters, with the same SIMD kernel as the
 * workers (adam-simd.wat): bit for bit tf.train.adam — so runs, checkpoints and the shipped
 * model are unchanged — in one pass over memory instead of tfjs' dozen kernels per variable
 * (measured: 8 ms of a 29 ms MLP step, 15–25 ms of a 220 ms conv step).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { captureOptimizer, loadFlatState, restoreFlatMoments } from './optimizer-state.js';
import { SharedAdam, sharedWasmMemory, type AdamConstants } from './shared-adam.js';
import { readValues, writeVariable } from './tensor-memory.js';

export class FlatAdam {
  private iterations: number;

  private constructor(
    private readonly variables: readonly tf.Variable[],
    private readonly adam: SharedAdam,
    private readonly gradient: Float32Array,
    private readonly state: { weights: Float32Array; m: Float32Array; v: Float32Array },
    iterations: number,
  ) {
    this.iterations = iterations;
  }

  /** Takes over from `optimizer` (fresh or restored from a checkpoint) for `variables`. */
  static async create(variables: readonly tf.Variable[], optimizer: tf.AdamOptimizer, constants: AdamConstants): Promise<FlatAdam> {
    const P = variables.reduce((sum, v) => sum + v.size, 0);
    const memory = sharedWasmMemory(4 * 4 * P);
    const block = (i: number) => new Float32Array(memory.buffer, 4 * i * P, P);
    const state = { weights: block(1), m: block(2), v: block(3) };
    const snapshot = await captureOptimizer(optimizer);
    loadFlatState(state, variables, snapshot);
    const adam = new SharedAdam(constants, snapshot.accBeta1, snapshot.accBeta2, memory);
    return new FlatAdam(variables, adam, block(0), state, snapshot.weights[0]!.data[0]!);
  }

  /** One Adam step: `grads` in the order of the variables. */
  apply(grads: readonly tf.Tensor[]): void {
    let offset = 0;
    grads.forEach((grad) => {
      readValues(grad, this.gradient, offset);
      offset += grad.size;
    });
    this.update();
    this.writeVariables();
  }

  /** The weights, flat in the order of the variables (what the dense VAE step reads). */
  get weights(): Float32Array {
    return this.state.weights;
  }

  /**
   * One Adam step on the gradient `fill` writes into the flat buffer it is given. The variables
   * keep their values until `sync`: the dense step reads `weights`, not them.
   */
  applyFlat(fill: (gradient: Float32Array) => void): void {
    fill(this.gradient);
    this.update();
  }

  private update(): void {
    this.adam.update({ ...this.state, gradients: [this.gradient] }, 0, this.gradient.length);
    this.adam.advance();
    this.iterations++;
  }

  private writeVariables(): void {
    let offset = 0;
    for (const v of this.variables) {
      writeVariable(v, this.state.weights.subarray(offset, offset + v.size));
      offset += v.size;
    }
  }

  /** Sets the variables to the weights and tfjs' `optimizer` to this Adam's state, for evaluation and checkpoints. */
  async sync(optimizer: tf.AdamOptimizer): Promise<void> {
    this.writeVariables();
    await restoreFlatMoments(optimizer, this.variables, this.state, {
      iterations: this.iterations, accBeta1: this.adam.accBeta1, accBeta2: this.adam.accBeta2,
    });
  }
}
