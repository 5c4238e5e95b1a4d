/** A float32 result with its shape: `data` is row-major, `shape[0]` the batch. */
export interface VaeTensor {
  data: Float32Array;
  shape: number[];
}

/** Row i of a [N, …] tensor as a view (no copy). */
export function row(tensor: VaeTensor, i: number): Float32Array {
  const size = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  return tensor.data.subarray(i * size, (i + 1) * size);
}

export const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
