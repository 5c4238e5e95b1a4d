import { VaekitError } from '../../src/errors.js';
import { weight, type LayerConverter } from './converter.js';

/**
 * BatchNormalization at inference: y = (x − mean)·γ/√(var + ε) + β, folded into one per-channel
 * scale and shift (computed in float64) applied with Mul and Add, which broadcast on the last
 * axis — the channel axis of NHWC values, and the feature axis of [N, F] ones.
 */
export const convertBatchNormalization: LayerConverter = (c) => {
  const rank = c.inputShapes[0]!.length;
  const axis = c.config['axis'] ?? -1;
  if (typeof axis !== 'number' || (axis < 0 ? axis + rank : axis) !== rank - 1) {
    throw new VaekitError(
      'invalid-argument',
      `cannot export layer '${c.layer.name}' (BatchNormalization): vaekit normalizes the last axis only (axis -1 or ${rank - 1} for rank ${rank}); found axis ${JSON.stringify(axis)}`,
    );
  }
  const epsilon = (c.config['epsilon'] as number | undefined) ?? 1e-3;
  const mean = weight(c, 'moving_mean').values;
  const variance = weight(c, 'moving_variance').values;
  const gamma = c.config['scale'] !== false ? weight(c, 'gamma').values : undefined;
  const beta = c.config['center'] !== false ? weight(c, 'beta').values : undefined;

  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    const s = (gamma?.[i] ?? 1) / Math.sqrt(variance[i]! + epsilon);
    scale[i] = s;
    shift[i] = (beta?.[i] ?? 0) - mean[i]! * s;
  }
  const k = c.graph.addFloatConstant(`${c.hint}/scale`, scale, [scale.length]);
  const b = c.graph.addFloatConstant(`${c.hint}/shift`, shift, [shift.length]);
  const [scaled] = c.graph.node('Mul', [c.inputs[0]!, k], {}, `${c.hint}_scaled`);
  return c.graph.node('Add', [scaled!, b], {}, c.hint)[0]!;
};
