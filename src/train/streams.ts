/**
 * Stream ids of the shared sampler used by training. Each purpose draws from its own stream so
 * that, e.g., evaluating the test split never shifts the training ε and a resumed run draws
 * exactly what an uninterrupted one would.
 */
export const STREAMS = {
  /** ε of the training objective; its position is checkpointed. */
  trainEpsilon: 0,
  /** Uniforms of the per-epoch shuffle; epoch e starts at offset (e − 1) · trainCount. */
  shuffle: 1,
  /** ε of the per-epoch test evaluation; epoch e starts at offset (e − 1) · testCount · J. */
  evalEpsilon: 2,
  /** ε of the importance-sampled log-likelihood. */
  iwaeEpsilon: 3,
  /** ε of the prior sample grid written with a run. */
  priorGrid: 4,
  /** Uniforms choosing a subset of the data (maxTrain / maxTest). */
  subset: 5,
  /** Uniforms splitting PNG folders and CSV tables into train and test (data/scaling.ts). */
  dataSplit: 6,
  /** Prior draws the latent-match MMD compares encoded test latents with (latent-match.ts). */
  latentMatch: 7,
} as const;
