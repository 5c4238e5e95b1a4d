/**
 * The model-kinds parity computation (model-kinds.test.ts): the same quantities for every runtime
 * on a small conv CVAE and a gaussian-learned MLP; imported-models.test.ts runs it (with
 * `allMethods`) on models imported from PyTorch. Isomorphic — vaekit's public API only, no
 * `node:` module — so the browser page bundles it (page-entry.ts) and the Node runners import it.
 */
import { samplePrior, type ConditionInput, type Vae } from '../../src/index.js';
import type { Quantities } from './conformance.js';

/** Real test digits, evenly spaced over the embedded MNIST test split (imported-models: the fixtures' 8 reference rows). */
export const DIGITS = 8;
/** Prior draws decoded: samplePrior(PRIOR_COUNT, J, { seed }) for each seed. */
export const PRIOR_SEEDS = [1, 2] as const;
export const PRIOR_COUNT = 10;
/** logLikelihood: few importance samples, fixed ε. */
export const LOG_LIKELIHOOD = { k: 8, seed: 1, stream: 0, offset: 0 } as const;
/** With `allMethods`: vae.sample(SAMPLE.n, { seed }) and vae.elbo with these ε. */
export const SAMPLE = { n: 5, seed: 3 } as const;
export const ELBO = { seed: 1, stream: 0, offset: 0 } as const;

export interface ModelKindOptions {
  /** Also sample, reconstruct and elbo (imported-models.test.ts); model-kinds.test.ts leaves them out. */
  allMethods?: boolean;
}

export interface ModelKindInput {
  /** DIGITS examples of the model's input shape (28 × 28 × 1, or 1 × 28 × 28 for chw), values in [0, 1] (a plain array: it crosses into pages as JSON). */
  x: number[];
  labels: number[];
}

export interface ModelKindQuantities {
  quantities: Quantities;
  /** The conditional model's decoder mean with every class shifted by one (for the c check). */
  shiftedMean?: number[];
}

/** The same quantities in every runtime: encoder on real digits, decoder on prior draws, log p(x). */
export async function modelQuantities(vae: Vae, data: ModelKindInput, options: ModelKindOptions = {}): Promise<ModelKindQuantities> {
  const J = vae.latentDim;
  const conditional = vae.manifest.condition !== null;
  const x = { data: Float32Array.from(data.x), shape: [DIGITS, ...vae.inputShape] };
  const cx: { c?: ConditionInput } = conditional ? { c: data.labels } : {};
  const { mu, logvar } = await vae.encode(x, cx);
  const n = PRIOR_SEEDS.length * PRIOR_COUNT;
  const z = new Float32Array(n * J);
  PRIOR_SEEDS.forEach((seed, i) => z.set(samplePrior(PRIOR_COUNT, J, { seed }), i * PRIOR_COUNT * J));
  const classes = Array.from({ length: n }, (_, i) => i % 10);
  const decoded = await vae.decode({ data: z, shape: [n, J] }, conditional ? { c: classes } : {});
  const ll = await vae.logLikelihood(x, { ...LOG_LIKELIHOOD, ...cx });
  const quantities: Quantities = {
    'encoder.mu': Array.from(mu.data),
    'encoder.logvar': Array.from(logvar.data),
    'decoder.mean': Array.from(decoded.mean.data),
  };
  if (decoded.logits) quantities['decoder.logits'] = Array.from(decoded.logits.data);
  if (decoded.logvarX) quantities['decoder.logvar_x'] = Array.from(decoded.logvarX.data);
  if (options.allMethods) {
    const sampled = await vae.sample(SAMPLE.n, { seed: SAMPLE.seed, ...(conditional ? { c: data.labels.slice(0, SAMPLE.n) } : {}) });
    quantities['sample.mean'] = Array.from(sampled.mean.data);
    quantities['reconstruction'] = Array.from((await vae.reconstruct(x, cx)).data);
    quantities['elbo'] = Array.from((await vae.elbo(x, { ...ELBO, ...cx })).perExample);
  }
  quantities['logLikelihood'] = Array.from(ll.perExample);
  if (!conditional) return { quantities };
  const shifted = await vae.decode({ data: z, shape: [n, J] }, { c: classes.map((c) => (c + 1) % 10), meanOnly: true });
  return { quantities, shiftedMean: Array.from(shifted.mean.data) };
}


/** A runtime's answer: the quantities, the provider it reports, vae.info, its load warnings and the time taken. */
export interface ModelKindRun extends ModelKindQuantities {
  provider: string;
  info: Vae['info'];
  warnings: string[];
  ms: number;
}

/** Computes the quantities with a loaded model, then disposes of it. */
export async function runModelKind(vae: Vae, input: ModelKindInput, warnings: string[], options: ModelKindOptions = {}): Promise<ModelKindRun> {
  try {
    const started = performance.now();
    const computed = await modelQuantities(vae, input, options);
    const { encoder, decoder } = vae.provider;
    return { provider: encoder === decoder ? encoder : `encoder ${encoder}, decoder ${decoder}`, info: vae.info, ...computed, warnings, ms: performance.now() - started };
  } finally {
    await vae.dispose();
  }
}
