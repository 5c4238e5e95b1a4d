/**
 * The parity suite's conformance computation: the same inputs and the same quantities for every
 * runtime. Isomorphic — it imports only vaekit's public API (src/index.ts) and no `node:` module,
 * so the browser runners bundle it as is (test/parity/page-entry.ts) and the Node runners import
 * it directly. The tfjs runner, which has no `Vae`, uses `samplerQuantities` and `latentDraws`
 * from here and computes the model quantities with the trainer's tfjs models.
 *
 * Every value crosses process/page boundaries as JSON numbers: a float32 widened to a double
 * round-trips through JSON exactly, so bit-identity survives the transport.
 */
import { checkGoldenVectors, fillStandardNormal, samplePrior, type GoldenVectors, type Vae } from '../../src/index.js';

export const LATENT_DIM = 20;
export const PIXELS = 28 * 28;
/** Real test digits, evenly spaced over the embedded MNIST test split. */
export const DIGITS = 32;

/** ε streams drawn in every runtime: several (seed, stream, offset), incl. 2^40 and odd offsets. */
export const EPS_CASES = [
  { seed: 1, stream: 0, offset: 0 },
  { seed: 1, stream: 1, offset: 1 },
  { seed: 2, stream: 0, offset: 2 ** 40 },
  { seed: 3, stream: 5, offset: 2 ** 40 + 3 },
  { seed: 42, stream: 2, offset: 7 },
  { seed: 2 ** 53 - 1, stream: 0xffffffff, offset: 12345 },
] as const;
/** Values per ε case: odd, so streams end in the middle of a Philox block. */
export const EPS_LENGTH = 37;

/** The latent draws decoded by every runtime: samplePrior for these seeds, PRIOR_COUNT each. */
export const PRIOR_SEEDS = [1, 2, 3] as const;
export const PRIOR_COUNT = 16;

/** logLikelihood: importance samples and where ε comes from. */
export const LOG_LIKELIHOOD = { k: 32, seed: 1, stream: 0, offset: 0 } as const;

/** vae.anomaly: the IWAE score (ε stream 1, as `vaekit score`) with these importance samples and seed, minus the input complexity. */
export const ANOMALY = { k: 16, seed: 1 } as const;

/** Quantity name → values (flattened, row-major). */
export type Quantities = Record<string, number[]>;

/** What the bit-identical sampler quantities are called (the rest are model outputs). */
export const EXACT_QUANTITIES = ['sampler.eps', 'sampler.prior', 'anomaly.complexityBits'] as const;

export interface ConformanceResult {
  /** Execution provider(s) actually used, as the runtime reports them. */
  provider: string;
  /** checkGoldenVectors(test/sampler/golden-vectors.json) in this runtime: must be []. */
  goldenMismatches: string[];
  quantities: Quantities;
  warnings: string[];
  /** Wall time of the computation (not the load), ms. */
  ms: number;
  /** Anything else the runner wants in the report (thread count, isolation, …). */
  info: Record<string, unknown>;
}

export interface ConformanceInput {
  /** DIGITS × 28 × 28 × 1 pixels in [0, 1]. */
  x: ArrayLike<number>;
  golden: GoldenVectors;
}

/** The seeded latent draws: samplePrior(PRIOR_COUNT, J, { seed }) for each seed, concatenated. */
export function latentDraws(): Float32Array {
  const out = new Float32Array(PRIOR_SEEDS.length * PRIOR_COUNT * LATENT_DIM);
  PRIOR_SEEDS.forEach((seed, i) => out.set(samplePrior(PRIOR_COUNT, LATENT_DIM, { seed }), i * PRIOR_COUNT * LATENT_DIM));
  return out;
}

/** The sampler part: golden vectors, ε streams and prior draws, computed in this runtime. */
export function samplerQuantities(golden: GoldenVectors): { goldenMismatches: string[]; quantities: Quantities } {
  const eps: number[] = [];
  for (const c of EPS_CASES) eps.push(...fillStandardNormal(new Float32Array(EPS_LENGTH), { ...c }));
  return {
    goldenMismatches: checkGoldenVectors(golden),
    quantities: { 'sampler.eps': eps, 'sampler.prior': Array.from(latentDraws()) },
  };
}

/** The model part through the SDK: encoder, decoder on the latent draws, reconstructions, log p(x). */
export async function vaeQuantities(vae: Vae, x: Float32Array): Promise<Quantities> {
  const n = x.length / PIXELS;
  const input = { data: x, shape: [n, 28, 28, 1] };
  const { mu, logvar } = await vae.encode(input);
  const z = latentDraws();
  const decoded = await vae.decode({ data: z, shape: [z.length / LATENT_DIM, LATENT_DIM] });
  if (!decoded.logits) throw new Error('the decoder returned no logits (a bernoulli model is expected)');
  const reconstruction = await vae.reconstruct(input);
  const ll = await vae.logLikelihood(input, { ...LOG_LIKELIHOOD });
  // One anomaly call (its likelihood part is logLikelihood's on another stream): the score within
  // the log p(x) tolerance, the PNG-deflate lengths it subtracts bit for bit (pure JavaScript).
  const adjusted = await vae.anomaly(input, { ...ANOMALY, complexity: true });
  return {
    'encoder.mu': Array.from(mu.data),
    'encoder.logvar': Array.from(logvar.data),
    'decoder.mean': Array.from(decoded.mean.data),
    'decoder.logits': Array.from(decoded.logits.data),
    reconstruction: Array.from(reconstruction.data),
    logLikelihood: Array.from(ll.perExample),
    'anomaly.nllComplexity': Array.from(adjusted.score),
    'anomaly.complexityBits': Array.from(adjusted.complexityBits!),
  };
}

/** The whole conformance run for a loaded `Vae` (the load itself is the runner's). */
export async function runConformance(vae: Vae, input: ConformanceInput, warnings: string[], info: Record<string, unknown> = {}): Promise<ConformanceResult> {
  const started = performance.now();
  const x = Float32Array.from(input.x);
  if (x.length !== DIGITS * PIXELS) throw new Error(`expected ${DIGITS} digits (${DIGITS * PIXELS} values); found ${x.length} values`);
  const sampler = samplerQuantities(input.golden);
  const model = await vaeQuantities(vae, x);
  const { encoder, decoder } = vae.provider;
  return {
    provider: encoder === decoder ? encoder : `encoder ${encoder}, decoder ${decoder}`,
    goldenMismatches: sampler.goldenMismatches,
    quantities: { ...sampler.quantities, ...model },
    warnings,
    ms: performance.now() - started,
    info,
  };
}
