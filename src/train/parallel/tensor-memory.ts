/**
 * Moving a replica's float32 values between tfjs and the shared buffers without a new ArrayBuffer
 * per step where that is safe. On the wasm backend a tensor's values are read in place in the wasm
 * heap (dataSync would allocate 2.6 MB a step for the MLP's gradient). Writing a variable in place
 * is not safe there: XNNPACK caches each weight matrix packed, keyed by the tensor, so a variable
 * gets its new values as a new tensor.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackendMemory {
  wasm: { HEAPF32: Float32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

/** The values of `t` on the wasm heap, or null on another backend. Valid until the heap grows. */
function heapView(t: tf.Tensor): Float32Array | null {
  if (tf.getBackend() !== 'wasm' || t.dtype !== 'float32') return null;
  const backend = tf.backend() as unknown as WasmBackendMemory;
  const data = backend.dataIdMap.get(t.dataId);
  return data ? backend.wasm.HEAPF32.subarray(data.memoryOffset / 4, data.memoryOffset / 4 + t.size) : null;
}

/** Copies the values of `t` into `into` at `offset`. */
export function readValues(t: tf.Tensor, into: Float32Array, offset: number): void {
  into.set(heapView(t) ?? t.dataSync(), offset);
}

/** Sets `v` to `values` (v.size of them; not kept: the wasm backend copies them into its heap, others get a copy). */
export function writeVariable(v: tf.Variable, values: Float32Array): void {
  const value = tf.tensor(tf.getBackend() === 'wasm' ? values : values.slice(), v.shape);
  v.assign(value);
  value.dispose();
}
