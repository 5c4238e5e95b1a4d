import * as tfl from '@tensorflow/tfjs-layers';
import { pytorchInitializers } from './init.js';

/** Hidden layers of the AAE's latent discriminator (Makhzani et al. used 1000-1000 on MNIST). */
export const DISCRIMINATOR_HIDDEN = [512, 512] as const;

/**
 * The adversarial autoencoder's discriminator: z (J) → ReLU MLP → one logit, "z came from the
 * prior". It only shapes training; the exported pair stays the encoder and decoder.
 */
export function buildDiscriminator(latentDim: number, seed: number, hidden: readonly number[] = DISCRIMINATOR_HIDDEN): tfl.LayersModel {
  // Its own seed sequence, so adding it leaves the encoder/decoder initialization unchanged.
  const init = pytorchInitializers(seed + 0x5eed);
  const z = tfl.input({ shape: [latentDim], name: 'z' });
  let h: tfl.SymbolicTensor = z;
  let fanIn = latentDim;
  hidden.forEach((units, i) => {
    h = tfl.layers.dense({ units, activation: 'relu', name: `discriminator_dense_${i + 1}`, ...init(fanIn) }).apply(h) as tfl.SymbolicTensor;
    fanIn = units;
  });
  const logit = tfl.layers.dense({ units: 1, name: 'discriminator_logit', ...init(fanIn) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: z, outputs: logit, name: 'discriminator' });
}
