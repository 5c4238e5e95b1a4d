/**
 * vaekit — the isomorphic core: the shared seeded sampler and the error type. Imports no runtime
 * package and no `node:` module, so the same code runs in Node, browsers and the trainer.
 *
 * @example
 * ```ts
 * import { samplePrior } from 'vaekit';
 * const z = samplePrior(16, 20, { seed: 42, temperature: 0.8 }); // Float32Array(16 × 20)
 * ```
 */
export {
  NormalSampler,
  fillStandardNormal,
  fillUniform,
  philox4x32,
  reparameterize,
  samplePrior,
  checkGoldenVectors,
  type StreamOptions,
  type ReparameterizeOptions,
  type SamplePriorOptions,
  type GoldenVectors,
} from './sampler/index.js';
export { VaekitError, type VaekitErrorCode } from './errors.js';
