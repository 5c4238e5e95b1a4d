/**
 * The shared seeded sampler: Philox4x32-10 streams addressed by (seed, stream, offset), standard
 * normals and uniforms that are bit-identical in Node, browsers and the trainer, and the
 * reparameterization z = μ + exp(½·logvar)·(τ·ε). Pure arithmetic: no dependencies, no `node:`.
 */
export { philox4x32 } from './philox.js';
export { log, exp, sinCosTwoPi } from './math.js';
export { DEFAULT_SEED, type StreamOptions } from './stream.js';
export { fillStandardNormal } from './normal.js';
export { fillUniform } from './uniform.js';
export { NormalSampler } from './normal-sampler.js';
export { reparameterize, samplePrior, type ReparameterizeOptions, type SamplePriorOptions } from './reparameterize.js';
export {
  checkGoldenVectors,
  float32ToHex,
  float64ToHex,
  hexToFloat32,
  hexToFloat64,
  type GoldenStreamCase,
  type GoldenVectors,
} from './golden.js';
