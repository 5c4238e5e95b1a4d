import * as tfl from '@tensorflow/tfjs-layers';
import type { BuildOptions } from './mlp.js';

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
 * The dense part both architectures share, encoder side: flat features (+ the condition c) →
 * hidden layers → the μ and logvar heads. Returns the encoder model.
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
  let h = enc.join(flat, 'encoder_condition');
  let fanIn = features + (options.classes ?? 0);
  arch.hidden.forEach((units, i) => {
    h = dense(units, fanIn, `encoder_dense_${i + 1}`, arch.activation).apply(h) as Sym;
    fanIn = units;
  });
  const mu = dense(arch.latentDim, fanIn, 'mu').apply(h) as Sym;
  const logvar = dense(arch.latentDim, fanIn, 'logvar').apply(h) as Sym;
  return tfl.model({ inputs: enc.inputs(x), outputs: [mu, logvar], name: 'encoder' });
}

/** Decoder side: z (+ c) → the hidden layers mirrored. Returns the inputs and the last tensor. */
export function denseDecoderTrunk(
  arch: { hidden: number[]; latentDim: number; activation: 'relu' },
  options: BuildOptions,
  dense: Dense,
): { inputs: Sym | Sym[]; g: Sym; fanIn: number } {
  const z = tfl.input({ shape: [arch.latentDim], name: 'z' });
  const dec = conditionInput(options.classes);
  let g: Sym = dec.join(z, 'decoder_condition');
  let fanIn = arch.latentDim + (options.classes ?? 0);
  [...arch.hidden].reverse().forEach((units, i) => {
    g = dense(units, fanIn, `decoder_dense_${i + 1}`, arch.activation).apply(g) as Sym;
    fanIn = units;
  });
  return { inputs: dec.inputs(z), g, fanIn };
}
