import { VaekitError } from '../../src/errors.js';
import type { GraphBuilder } from '../graph-builder.js';

// tfjs-layers' SELU constants (activations.ts), so exported graphs match training bit for bit.
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

type Emit = (graph: GraphBuilder, input: string, hint: string) => string;

/**
 * ONNX forms of tfjs activations. Softplus is written as relu(x) + log(1 + exp(−|x|)): stable
 * for any x, and every execution provider runs it (onnxruntime-web's WebGPU build lacks Softplus).
 */
const ACTIVATIONS: Record<string, Emit> = {
  linear: (_g, input) => input,
  relu: (g, x, hint) => g.node('Relu', [x], {}, hint)[0]!,
  sigmoid: (g, x, hint) => g.node('Sigmoid', [x], {}, hint)[0]!,
  tanh: (g, x, hint) => g.node('Tanh', [x], {}, hint)[0]!,
  elu: (g, x, hint) => g.node('Elu', [x], { alpha: { float: 1 } }, hint)[0]!,
  selu: (g, x, hint) => g.node('Selu', [x], { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } }, hint)[0]!,
  softplus: (g, x, hint) => {
    const [relu] = g.node('Relu', [x], {}, `${hint}_relu`);
    const [abs] = g.node('Abs', [x], {}, `${hint}_abs`);
    const [neg] = g.node('Neg', [abs!], {}, `${hint}_neg`);
    const [exp] = g.node('Exp', [neg!], {}, `${hint}_exp`);
    const one = g.addFloatConstant(`${hint}_one`, new Float32Array([1]), []);
    const [onePlus] = g.node('Add', [exp!, one], {}, `${hint}_1p`);
    const [log] = g.node('Log', [onePlus!], {}, `${hint}_log1p`);
    return g.node('Add', [relu!, log!], {}, hint)[0]!;
  },
  swish: (g, x, hint) => {
    const [sig] = g.node('Sigmoid', [x], {}, `${hint}_sigmoid`);
    return g.node('Mul', [x, sig!], {}, hint)[0]!;
  },
};

export const SUPPORTED_ACTIVATIONS = Object.keys(ACTIVATIONS);

/** Emits the activation `name` (a tfjs identifier such as 'relu') on `input`. */
export function applyActivation(graph: GraphBuilder, name: unknown, input: string, hint: string, layerName: string): string {
  const key = name == null ? 'linear' : String(name);
  const emit = ACTIVATIONS[key];
  if (!emit) {
    throw new VaekitError(
      'invalid-argument',
      `layer '${layerName}' uses the activation '${key}', which vaekit cannot export; supported: ${SUPPORTED_ACTIVATIONS.join(', ')}`,
    );
  }
  return emit(graph, input, hint);
}
