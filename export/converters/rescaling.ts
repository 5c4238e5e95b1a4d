import type { LayerConverter } from './converter.js';

/** Rescaling: y = x·scale + offset (a learned log-variance's floor uses it). */
export const convertRescaling: LayerConverter = (c) => {
  const scale = Number(c.config['scale'] ?? 1);
  const offset = Number(c.config['offset'] ?? 0);
  let y = c.inputs[0]!;
  if (scale !== 1) y = c.graph.node('Mul', [y, c.graph.addFloatConstant(`${c.hint}/scale`, new Float32Array([scale]), [])], {}, `${c.hint}_scaled`)[0]!;
  if (offset !== 0) y = c.graph.node('Add', [y, c.graph.addFloatConstant(`${c.hint}/offset`, new Float32Array([offset]), [])], {}, c.hint)[0]!;
  return y;
};
