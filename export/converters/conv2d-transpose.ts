import { VaekitError } from '../../src/errors.js';
import { applyActivation } from './activations.js';
import { checkOutputSize, pair, permute, requireChannelsLast, spatialSize } from './conv-common.js';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, weight, type LayerConversion, type LayerConverter } from './converter.js';

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

  const kernel = weight(c, 'kernel'); // [kh, kw, out, in] → ONNX [in, out, kh, kw]
  const [, , cout, cin] = kernel.shape as [number, number, number, number];
  const inputs = [
    c.graph.node('Transpose', [c.inputs[0]!], { perm: NHWC_TO_NCHW }, `${c.hint}_nchw`)[0]!,
    c.graph.addWeight(`${c.hint}/kernel`, permute(kernel.values, kernel.shape, [3, 2, 0, 1]), [cin, cout, kh, kw]),
  ];
  if (c.config['useBias'] !== false) {
    const bias = weight(c, 'bias');
    inputs.push(c.graph.addWeight(`${c.hint}/bias`, bias.values, bias.shape));
  }
  const attributes = { kernel_shape: [kh, kw], strides: [sh, sw], pads: [top, left, bottom, right], group: 1 };
  const [conv] = c.graph.node(
    'ConvTranspose',
    inputs,
    opH || opW ? { ...attributes, output_padding: [opH, opW] } : attributes,
    `${c.hint}_convtranspose`,
  );
  const [nhwc] = c.graph.node('Transpose', [conv!], { perm: NCHW_TO_NHWC }, `${c.hint}_nhwc`);
  return applyActivation(c.graph, c.config['activation'], nhwc!, c.hint, c.layer.name);
};
