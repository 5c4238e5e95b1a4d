import { VaekitError } from '../../src/errors.js';
import type { AttributeValue } from '../graph-builder.js';
import { applyActivation } from './activations.js';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, weight, type LayerConversion } from './converter.js';

/** A tfjs 2-D setting (number or [h, w]) as [h, w]. */
export function pair(c: LayerConversion, key: string, fallback: number): [number, number] {
  const value = c.config[key] ?? fallback;
  const list = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(list) || list.length !== 2 || !list.every((v) => Number.isInteger(v) && v > 0)) {
    throw new VaekitError(
      'invalid-argument',
      `layer '${c.layer.name}' (${c.layer.getClassName()}): '${key}' must be a positive integer or two; found ${JSON.stringify(value)}`,
    );
  }
  return [list[0] as number, list[1] as number];
}

/** The graph keeps tfjs' NHWC layout; a channelsFirst layer would need its own transposes. */
export function requireChannelsLast(c: LayerConversion): void {
  const format = c.config['dataFormat'] ?? 'channelsLast';
  if (format !== 'channelsLast') {
    throw new VaekitError(
      'invalid-argument',
      `cannot export layer '${c.layer.name}' (${c.layer.getClassName()}): vaekit exports dataFormat 'channelsLast' only; found ${JSON.stringify(format)}`,
    );
  }
}

/** The fixed spatial size [H, W] of the layer's NHWC input. */
export function spatialSize(c: LayerConversion): [number, number] {
  const shape = c.inputShapes[0]!;
  const [h, w] = [shape[1], shape[2]];
  if (shape.length !== 4 || typeof h !== 'number' || typeof w !== 'number') {
    throw new VaekitError(
      'invalid-argument',
      `cannot export layer '${c.layer.name}' (${c.layer.getClassName()}): expected an input [N, H, W, C] with fixed H and W; found ${JSON.stringify(shape)}`,
    );
  }
  return [h, w];
}

/** Checks the spatial output size the ONNX node will produce against tfjs' own. */
export function checkOutputSize(c: LayerConversion, size: [number, number]): void {
  const expected = c.outputShape.slice(1, 3);
  if (expected[0] !== size[0] || expected[1] !== size[1]) {
    throw new Error(`layer '${c.layer.name}' (${c.layer.getClassName()}): ONNX output ${size.join('×')} differs from tfjs' ${expected.join('×')}`);
  }
}

/** `values` of shape `shape`, transposed by `perm` (out[i] = in[perm[i]], as ONNX Transpose). */
export function permute(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i]!;
  }
  const strides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(values.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let from = 0;
    for (let i = 0; i < rank; i++) from += index[i]! * strides[i]!;
    out[o] = values[from]!;
    for (let i = rank - 1; i >= 0 && ++index[i]! === outShape[i]!; i--) index[i] = 0;
  }
  return out;
}

/**
 * Emits a convolution-like op on NHWC values: Transpose to NCHW → `op` (W = the tfjs kernel
 * permuted [3, 2, 0, 1], plus the bias) → Transpose back → the layer's activation. Conv2D's kernel
 * [kh, kw, in, out] becomes [out, in, kh, kw]; Conv2DTranspose's [kh, kw, out, in] becomes
 * [in, out, kh, kw] — the same permutation for both.
 */
export function emitNchwConv(c: LayerConversion, op: 'Conv' | 'ConvTranspose', attributes: Record<string, AttributeValue>): string {
  const kernel = weight(c, 'kernel');
  const [kh, kw, a, b] = kernel.shape as [number, number, number, number];
  const inputs = [
    c.graph.node('Transpose', [c.inputs[0]!], { perm: NHWC_TO_NCHW }, `${c.hint}_nchw`)[0]!,
    c.graph.addWeight(`${c.hint}/kernel`, permute(kernel.values, kernel.shape, [3, 2, 0, 1]), [b, a, kh, kw]),
  ];
  if (c.config['useBias'] !== false) {
    const bias = weight(c, 'bias');
    inputs.push(c.graph.addWeight(`${c.hint}/bias`, bias.values, bias.shape));
  }
  const [conv] = c.graph.node(op, inputs, attributes, `${c.hint}_${op.toLowerCase()}`);
  const [nhwc] = c.graph.node('Transpose', [conv!], { perm: NCHW_TO_NHWC }, `${c.hint}_nhwc`);
  return applyActivation(c.graph, c.config['activation'], nhwc!, c.hint, c.layer.name);
}
