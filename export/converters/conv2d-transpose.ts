import { VaekitError } from '../../src/errors.js';
import { checkOutputSize, emitNchwConv, pair, requireChannelsLast, spatialSize } from './conv-common.js';
import type { LayerConversion, LayerConverter } from './converter.js';

/**
 * tfjs' transposed padding along one axis as ONNX [padBegin, padEnd, outputPadding, outSize].
 * tfjs computes conv2dTranspose as the gradient of a forward conv over an output of
 * in·stride ('same') or in·stride + max(k − stride, 0) ('valid') pixels; ONNX ConvTranspose
 * with that forward conv's pads is the same gradient: 'same' pads max(k − stride, 0) split as
 * TF does (odd pixel at the end), 'valid' pads 0. When k < stride, tfjs' output is stride − k
 * pixels longer than ConvTranspose's full output (pixels no kernel tap reaches): output_padding
 * appends them (bias only). Explicit pads,
 * never output_shape: onnxruntime-web's WebGPU build computes wrong values with it.
 */
function transposePads(c: LayerConversion, size: number, kernel: number, stride: number): [number, number, number, number] {
  const outputPadding = Math.max(stride - kernel, 0);
  if (c.config['padding'] === 'valid') return [0, 0, outputPadding, size * stride + Math.max(kernel - stride, 0)];
  if (c.config['padding'] !== 'same') {
    throw new VaekitError(
      'invalid-argument',
      `cannot export layer '${c.layer.name}' (${c.layer.getClassName()}): padding must be 'same' or 'valid'; found ${JSON.stringify(c.config['padding'])}`,
    );
  }
  const total = Math.max(kernel - stride, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin, outputPadding, size * stride];
}

/** Conv2DTranspose on NHWC values: Transpose → ConvTranspose (NCHW) → Transpose back → activation. */
export const convertConv2DTranspose: LayerConverter = (c) => {
  requireChannelsLast(c);
  const [h, w] = spatialSize(c);
  const [kh, kw] = pair(c, 'kernelSize', 1);
  const [sh, sw] = pair(c, 'strides', 1);
  // tfjs' Conv2DTranspose ignores dilationRate (and drops it from its config), so do we.
  const [top, bottom, opH, outH] = transposePads(c, h, kh, sh);
  const [left, right, opW, outW] = transposePads(c, w, kw, sw);
  checkOutputSize(c, [outH, outW]);

  const attributes = { kernel_shape: [kh, kw], strides: [sh, sw], pads: [top, left, bottom, right], group: 1 };
  // output_padding only where needed: the kernel is smaller than the stride.
  return emitNchwConv(c, 'ConvTranspose', opH || opW ? { ...attributes, output_padding: [opH, opW] } : attributes);
};
