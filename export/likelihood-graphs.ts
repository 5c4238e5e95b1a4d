import { GraphBuilder } from './graph-builder.js';
import { onnx } from './onnx.js';

/**
 * Small ONNX graphs the SDK runs after the decoder to score data: log p(x|z) summed over
 * features, for K decoder outputs per example. Every dimension is symbolic, so the bytes do not
 * depend on the model; they are generated once into src/vae/likelihood-graphs.generated.ts
 * (`npm run generate`) and a test keeps that file equal to what this code builds.
 *
 * Inputs: `x` [N, 1, D] (the data, broadcast over K) and the decoder output(s) [N, K, D];
 * output `ll` [N, K].
 */
export type LikelihoodGraphKind = 'bernoulli-logits' | 'bernoulli-mean' | 'squared-error' | 'gaussian-learned';

function symbolic(builder: GraphBuilder, name: string, dims: string[]): void {
  builder.addSymbolicInput(name, dims);
}

export function buildLikelihoodGraph(kind: LikelihoodGraphKind): Uint8Array {
  const g = new GraphBuilder(`vaekit-${kind}`);
  symbolic(g, 'x', ['N', 'one', 'D']);
  const axes = g.addInt64Constant('axes', [-1]);
  const sum = (value: string, hint: string) => g.node('ReduceSum', [value, axes], { keepdims: 0 }, hint)[0]!;
  // Created on first use: an unused initializer makes onnxruntime print a warning.
  let oneName: string | undefined;
  const one = () => (oneName ??= g.addFloatConstant('one', new Float32Array([1]), []));
  let ll: string;
  if (kind === 'bernoulli-logits') {
    symbolic(g, 'logits', ['N', 'K', 'D']);
    // log p(x|z) = Σ_j [x_j·ℓ_j − max(ℓ_j, 0) − log(1 + exp(−|ℓ_j|))] (docs/math.md's form, rearranged):
    // the x·ℓ sum is one batched MatMul, the rest vectorized unary ops (ORT's Softplus kernel is
    // scalar and 3× slower than these together).
    const [xT] = g.node('Transpose', ['x'], { perm: [0, 2, 1] }, 'x_t');
    const [xl] = g.node('MatMul', ['logits', xT!], {}, 'x_dot_logits');
    const [xlFlat] = g.node('Squeeze', [xl!, axes], {}, 'x_dot_logits_flat');
    const [relu] = g.node('Relu', ['logits']);
    const [abs] = g.node('Abs', ['logits']);
    const [neg] = g.node('Neg', [abs!]);
    const [exp] = g.node('Exp', [neg!]);
    const [onePlus] = g.node('Add', [exp!, one()]);
    const [log1p] = g.node('Log', [onePlus!]);
    const [softplus] = g.node('Add', [relu!, log1p!]);
    ll = g.node('Sub', [xlFlat!, sum(softplus!, 'softplus_sum')])[0]!;
  } else if (kind === 'bernoulli-mean') {
    symbolic(g, 'mean', ['N', 'K', 'D']);
    // x·log p + (1−x)·log(1−p), each log floored at −100 as PyTorch's BCELoss does.
    const floor = g.addFloatConstant('floor', new Float32Array([-100]), []);
    const [logP] = g.node('Log', ['mean']);
    const [oneMinusP] = g.node('Sub', [one(), 'mean']);
    const [log1mP] = g.node('Log', [oneMinusP!]);
    const [logPf] = g.node('Max', [logP!, floor]);
    const [log1mPf] = g.node('Max', [log1mP!, floor]);
    const [oneMinusX] = g.node('Sub', [one(), 'x']);
    const [t1] = g.node('Mul', ['x', logPf!]);
    const [t2] = g.node('Mul', [oneMinusX!, log1mPf!]);
    const [perFeature] = g.node('Add', [t1!, t2!]);
    ll = sum(perFeature!, 'll_sum');
  } else if (kind === 'squared-error') {
    symbolic(g, 'mean', ['N', 'K', 'D']);
    const [diff] = g.node('Sub', ['x', 'mean']);
    ll = g.node('ReduceSumSquare', [diff!], { axes: [-1], keepdims: 0 }, 'sse')[0]!; // the SDK applies −s/(2σ²) − D·log(σ√2π)
  } else {
    symbolic(g, 'mean', ['N', 'K', 'D']);
    symbolic(g, 'logvar_x', ['N', 'K', 'D']);
    // −½ Σ [logvar + (x−m)²·exp(−logvar) + log 2π]
    const log2pi = g.addFloatConstant('log2pi', new Float32Array([Math.log(2 * Math.PI)]), []);
    const half = g.addFloatConstant('minus_half', new Float32Array([-0.5]), []);
    const [diff] = g.node('Sub', ['x', 'mean']);
    const [sq] = g.node('Mul', [diff!, diff!]);
    const [negLv] = g.node('Neg', ['logvar_x']);
    const [precision] = g.node('Exp', [negLv!]);
    const [scaled] = g.node('Mul', [sq!, precision!]);
    const [a] = g.node('Add', ['logvar_x', scaled!]);
    const [b] = g.node('Add', [a!, log2pi]);
    ll = g.node('Mul', [sum(b!, 'sum'), half])[0]!;
  }
  g.node('Identity', [ll], {}, 'll', { outputNames: [g.reserve('ll')] });
  g.addSymbolicOutput('ll', ['N', 'K']);
  return g.encode('generated');
}

export const LIKELIHOOD_GRAPH_KINDS: LikelihoodGraphKind[] = ['bernoulli-logits', 'bernoulli-mean', 'squared-error', 'gaussian-learned'];

export { onnx };
