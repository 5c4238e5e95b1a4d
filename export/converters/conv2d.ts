import { VaekitError } from '../../src/errors.js';
import { checkOutputSize, emitNchwConv, pair, requireChannelsLast, spatialSize } from './conv-common.js';
import type { LayerConversion, LayerConverter } from './converter.js';

/**
 * tfjs' padding along one axis as ONNX [begin, end] and the output size. 'same' is TF's rule
 * (tfjs-core getPadAndOutInfo): the odd pixel goes at the end, like ONNX SAME_UPPER. Explicit
 * pads, since every dimension but the batch is fixed.
 */
function convPads(c: LayerConversion, size: number, kernel: number, stride: number, dilation: number): [number, number, number] {
  const span = (kernel - 1) * dilation + 1;
  if (c.config['padding'] === 'valid') return [0, 0, Math.ceil((size - span + 1) / stride)];
  if (c.config['padding'] !== 'same') {
    throw new VaekitError(
      'invalid-argument',
      `cannot export layer '${c.layer.name}' (${c.layer.getClassName()}): padding must be 'same' or 'valid'; found ${JSON.stringify(c.config['padding'])}`,
    );
  }
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + span - size);
  const begin = Math.floor(total / 2);
  return [begin, total - begin, out];
}

/** Conv2D on NHWC values: Transpose → Conv (NCHW) → Transpose back → activation. */
export const convertConv2D: LayerConverter = (c) => {
  requireChannelsLast(c);
  const [h, w] = spatialSize(c);
  const [kh, kw] = pair(c, 'kernelSize', 1);
  const [sh, sw] = pair(c, 'strides', 1);
  const [dh, dw] = pair(c, 'dilationRate', 1);
  const [top, bottom, outH] = convPads(c, h, kh, sh, dh);
  const [left, right, outW] = convPads(c, w, kw, sw, dw);
  checkOutputSize(c, [outH, outW]);

  return emitNchwConv(c, 'Conv', {
    kernel_shape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads: [top, left, bottom, right], group: 1,
  });
};
