import * as tfl from '@tensorflow/tfjs-layers';
import type { BuildOptions } from './types.js';
import { DECODER_CLASS_OFFSET_LAYER } from './output-bias.js';

type Sym = tfl.SymbolicTensor;

/** The condition input `c` and a helper that appends it to a flat tensor (CVAE), or nothing. */
export function conditionInput(classes: number | undefined) {
  const c = classes ? tfl.input({ shape: [classes], name: 'c' }) : null;
  const join = (t: tfl.SymbolicTensor, name: string) =>
    c ? (tfl.layers.concatenate({ name }).apply([t, c]) as tfl.SymbolicTensor) : t;
  return { c, join, inputs: (first: tfl.SymbolicTensor) => (c ? [first, c] : first) };
}

type Dense = (units: number, fanIn: number, name: string, activation?: 'relu') => tfl.layers.Layer;

/**
 * The dense part both architectures share, encoder side: flat features → hidden layers → the μ
 * and logvar heads. A CVAE's one-hot c joins the input of every one of these Dense layers
 * (`encoder_condition_<i>` before `encoder_dense_<i>`, `encoder_condition_heads` before μ and
 * logvar), so the heads can shift each class's code directly. Returns the encoder model.
 */
export function denseEncoder(
  x: Sym,
  flat: Sym,
  features: number,
  arch: { hidden: number[]; latentDim: number; activation: 'relu' },
  options: BuildOptions,
  dense: Dense,
): tfl.LayersModel {
  const enc = conditionInput(options.classes);
  const classes = options.classes ?? 0;
  let h = flat;
  let fanIn = features;
  arch.hidden.forEach((units, i) => {
    h = dense(units, fanIn + classes, `encoder_dense_${i + 1}`, arch.activation).apply(enc.join(h, `encoder_condition_${i + 1}`)) as Sym;
    fanIn = units;
  });
  h = enc.join(h, 'encoder_condition_heads');
  const mu = dense(arch.latentDim, fanIn + classes, 'mu').apply(h) as Sym;
  const logvar = dense(arch.latentDim, fanIn + classes, 'logvar').apply(h) as Sym;
  return tfl.model({ inputs: enc.inputs(x), outputs: [mu, logvar], name: 'encoder' });
}

/**
 * Decoder side: z → the hidden layers mirrored. A CVAE's c joins the input of every one of them
 * (`decoder_condition_<i>` before `decoder_dense_<i>`): a one-hot c concatenated to a layer's input
 * is a per-class bias of that layer. Returns the inputs, the last tensor and its width; `join`
 * appends c (`classes` wide) for a later hidden layer (conv: the projection), and `classOffset`
 * adds the per-class output offset.
 */
export function denseDecoderTrunk(
  arch: { hidden: number[]; latentDim: number; activation: 'relu' },
  options: BuildOptions,
  dense: Dense,
) {
  const z = tfl.input({ shape: [arch.latentDim], name: 'z' });
  const dec = conditionInput(options.classes);
  const classes = options.classes ?? 0;
  let g: Sym = z;
  let fanIn = arch.latentDim;
  [...arch.hidden].reverse().forEach((units, i) => {
    g = dense(units, fanIn + classes, `decoder_dense_${i + 1}`, arch.activation).apply(dec.join(g, `decoder_condition_${i + 1}`)) as Sym;
    fanIn = units;
  });
  return {
    inputs: dec.inputs(z),
    g,
    fanIn,
    classes,
    join: dec.join,
    classOffset: (pre: Sym, shape: number[]) => (dec.c ? addClassOffset(pre, dec.c, shape) : pre),
  };
}

/**
 * A CVAE's per-class output offset: pre + reshape(c · W) (W [classes, features], no bias, zero
 * until `initializeOutputBiasFromData` sets each class's row to the logit of its mean image). With
 * it the untrained decoder draws each class's average digit, so c explains the class from the
 * first step and z is not pushed to encode it — a z that carries the class puts each class's codes
 * away from the prior's centre, and prior draws with c fixed then blur into other digits.
 */
function addClassOffset(pre: Sym, c: Sym, shape: number[]): Sym {
  const features = shape.reduce((a, b) => a * b, 1);
  let offset = tfl.layers.dense({ units: features, useBias: false, kernelInitializer: 'zeros', name: DECODER_CLASS_OFFSET_LAYER }).apply(c) as Sym;
  if (shape.length > 1) offset = tfl.layers.reshape({ targetShape: shape, name: `${DECODER_CLASS_OFFSET_LAYER}_reshape` }).apply(offset) as Sym;
  return tfl.layers.add({ name: 'decoder_output_conditioned' }).apply([pre, offset]) as Sym;
}
