/**
 * The gradient of the negative ELBO of an MLP VAE, computed by hand on vaekit's heap kernels,
 * outside tfjs' engine. Through tfjs a step of the 784-400-20 VAE makes 224 kernel calls, each
 * with its tape record, tensor bookkeeping and output allocation (~10 µs apiece whatever the
 * batch: 3–4 ms of a 16 ms step at batch 128, and all of it again in every worker); here a step is
 * a dozen products on preallocated blocks plus a few loops. The mathematics are train-step.ts's
 * (docs/math.md): z = μ + exp(½·logvar)·ε with ε from the shared sampler, L samples, β-weighted
 * KL with optional free bits; the arithmetic differs from tfjs' by float32 rounding only.
 */
import { DenseArena, rows, transposed, type Block } from './dense-arena.js';
import type { DenseLayer, DenseVaePlan } from './dense-vae-plan.js';
import { reconstructionTerms } from './likelihood-terms.js';

/** One shard of a batch: its rows of x and of every one of the L ε blocks. */
export interface DenseShard {
  /** n × features. */
  x: Float32Array;
  /** [L, epsRows, J] standard normals; the shard's are rows epsStart … epsStart + n − 1 of each block. */
  eps: Float32Array;
  epsRows: number;
  epsStart: number;
  n: number;
  /** The batch's rows: the shard's terms are summed and divided by it, so shards add up to the batch mean. */
  rows: number;
  beta: number;
  /**
   * Free bits: takes Σ over the shard of each dimension's KL and returns which dimensions' KL
   * the objective keeps (1) or floors (0); null or absent: every dimension counts.
   */
  klMask?: (klSums: Float64Array) => Float32Array | null;
}

/** The shard's sums over its rows: −E_q log p(x|z) (L-sample mean), KL, and KL per dimension. */
export interface DenseSums {
  recon: number;
  kl: number;
  klDimensions: Float64Array;
}

interface LayerBlocks {
  layer: DenseLayer;
  /** Its output (after ReLU for hidden layers) and the gradient there. */
  out: Block;
  grad: Block;
}

export class DenseVaeGradient {
  private readonly arena = new DenseArena();
  private readonly weights: Block;
  private readonly gradients: Block;
  private readonly headsKernel: Block;
  private readonly headsBias: Block;
  private readonly headsGradKernel: Block;
  private readonly headsGradBias: Block;
  private readonly x: Block;
  private readonly eps: Block;
  private readonly z: Block;
  private readonly dz: Block;
  private readonly heads: LayerBlocks;
  private readonly encoder: LayerBlocks[];
  private readonly decoder: LayerBlocks[];
  private readonly output: LayerBlocks;

  /** For shards of up to `maxRows` rows. */
  constructor(private readonly plan: DenseVaePlan, private readonly maxRows: number) {
    const { arena } = this;
    const { features: D, latentDim: J, mcSamples: L } = plan;
    const R = L * maxRows;
    this.weights = arena.block(plan.parameters);
    this.gradients = arena.block(plan.parameters);
    const last = plan.encoder.at(-1)?.units ?? D;
    this.headsKernel = arena.block(last * 2 * J);
    this.headsBias = arena.block(2 * J);
    this.headsGradKernel = arena.block(last * 2 * J);
    this.headsGradBias = arena.block(2 * J);
    this.x = arena.block(maxRows * D);
    this.eps = arena.block(R * J);
    this.z = arena.block(R * J);
    this.dz = arena.block(R * J);
    const blocks = (layer: DenseLayer, rowCount: number): LayerBlocks => ({ layer, out: arena.block(rowCount * layer.units), grad: arena.block(rowCount * layer.units) });
    this.encoder = plan.encoder.map((layer) => blocks(layer, maxRows));
    this.heads = blocks({ kernel: -1, bias: -1, fanIn: last, units: 2 * J }, maxRows);
    this.decoder = plan.decoder.map((layer) => blocks(layer, R));
    const output = arena.block(R * D);
    this.output = { layer: plan.output, out: output, grad: output }; // the gradient is written over the output
    // Packed B: the largest K × ⌈N/8⌉·8 any product packs (forward W: fanIn × units; ∂W: rows × units; ∂input: Wᵀ, units × fanIn).
    const all = [...plan.encoder, ...plan.decoder, plan.output, this.heads.layer];
    const wide = (count: number) => Math.ceil(count / 8) * 8;
    const packed = Math.max(...all.map((l) => Math.max(l.fanIn * wide(l.units), R * wide(l.units), l.units * wide(l.fanIn))));
    arena.reserveProducts(packed, Math.max(...all.map((l) => Math.max(l.units, l.fanIn))));
  }

  /** Writes into `into` (the flat parameter order) the shard's gradient; returns its sums. */
  gradient(weights: Float32Array, shard: DenseShard, into: Float32Array): DenseSums {
    const { plan, arena } = this;
    const { features: D, latentDim: J, mcSamples: L } = plan;
    const { n } = shard;
    if (n < 1 || n > this.maxRows) throw new Error(`a dense step takes 1 to ${this.maxRows} rows; found ${n}`);
    const R = L * n;
    this.weights.view.set(weights);
    this.x.view.set(shard.x.subarray(0, n * D));
    for (let l = 0; l < L; l++) {
      const from = (l * shard.epsRows + shard.epsStart) * J;
      this.eps.view.set(shard.eps.subarray(from, from + n * J), l * n * J);
    }
    this.joinHeads();
    // Encoder: x → hidden layers (ReLU) → [μ | logvar].
    let input = this.x;
    let width = D;
    for (const e of this.encoder) {
      this.forward(e, input, n, true);
      input = e.out;
      width = e.layer.units;
    }
    arena.product(rows(input.at, width), rows(this.headsKernel.at, 2 * J), this.headsBias.at, this.heads.out.at, n, width, 2 * J);
    const kl = this.sampleLatents(n);
    const mask = shard.klMask?.(kl.klDimensions) ?? null;
    // Decoder: z → hidden layers (ReLU) → the output's pre-activation, then its gradient in place.
    let decoderInput = this.z;
    for (const d of this.decoder) {
      this.forward(d, decoderInput, R, true);
      decoderInput = d.out;
    }
    this.forward(this.output, decoderInput, R, false);
    const simd = { kernels: arena.kernels, preAt: this.output.out.at, xAt: this.x.at };
    const recon = reconstructionTerms(plan.likelihood, this.output.out.view, this.x.view, R, n, D, 1 / (L * shard.rows), simd) / L;
    // Back through the decoder, down to ∂/∂z.
    const decoderLayers = [...this.decoder, this.output];
    for (let i = decoderLayers.length - 1; i >= 0; i--) {
      const below = i > 0 ? decoderLayers[i - 1]! : null;
      this.backward(decoderLayers[i]!, below ? below.out : this.z, below ? below.grad : this.dz, below !== null, R);
    }
    this.latentGradient(n, shard.beta / shard.rows, mask);
    // Back through the heads and the encoder (no gradient for x).
    const encoderLayers = [...this.encoder, this.heads];
    for (let i = encoderLayers.length - 1; i >= 0; i--) {
      const below = i > 0 ? encoderLayers[i - 1]! : null;
      this.backward(encoderLayers[i]!, below ? below.out : this.x, below ? below.grad : null, true, n);
    }
    this.splitHeadsGradient();
    into.set(this.gradients.view);
    return { recon, kl: kl.kl, klDimensions: kl.klDimensions };
  }

  /** out = input·W + b (ReLU'd for hidden layers); `rowCount` rows. Heads use the joined blocks. */
  private forward(b: LayerBlocks, input: Block, rowCount: number, relu: boolean): void {
    const { layer } = b;
    const w = this.weights.at;
    this.arena.product(rows(input.at, layer.fanIn), rows(w + 4 * layer.kernel, layer.units), w + 4 * layer.bias, b.out.at, rowCount, layer.fanIn, layer.units, relu);
  }

  /**
   * From ∂/∂out of `b` (b.grad): its kernel's and bias's gradients, and — when `belowGrad` is
   * given — ∂/∂input into it, times the ReLU's derivative when the input is a hidden layer's output.
   */
  private backward(b: LayerBlocks, input: Block, belowGrad: Block | null, belowIsRelu: boolean, rowCount: number): void {
    const { arena } = this;
    const { layer } = b;
    const isHeads = layer.kernel < 0;
    const kernel = isHeads ? this.headsKernel.at : this.weights.at + 4 * layer.kernel;
    const kernelGrad = isHeads ? this.headsGradKernel.at : this.gradients.at + 4 * layer.kernel;
    const biasGrad = isHeads ? this.headsGradBias.at : this.gradients.at + 4 * layer.bias;
    arena.product(transposed(input.at, layer.fanIn), rows(b.grad.at, layer.units), null, kernelGrad, layer.fanIn, rowCount, layer.units);
    arena.columnSums(b.grad.at, rowCount, layer.units, biasGrad);
    if (!belowGrad) return;
    arena.product(rows(b.grad.at, layer.units), transposed(kernel, layer.units), null, belowGrad.at, rowCount, layer.units, layer.fanIn);
    if (!belowIsRelu) return;
    const g = belowGrad.view;
    const out = input.view;
    for (let i = rowCount * layer.fanIn - 1; i >= 0; i--) if (!(out[i]! > 0)) g[i] = 0;
  }

  /** The μ and logvar layers side by side: one [fanIn, 2J] kernel, one bias. */
  private joinHeads(): void {
    const { mu, logvar, latentDim: J } = this.plan;
    const w = this.weights.view;
    const k = this.headsKernel.view;
    for (let r = 0; r < mu.fanIn; r++) {
      k.set(w.subarray(mu.kernel + r * J, mu.kernel + (r + 1) * J), r * 2 * J);
      k.set(w.subarray(logvar.kernel + r * J, logvar.kernel + (r + 1) * J), r * 2 * J + J);
    }
    this.headsBias.view.set(w.subarray(mu.bias, mu.bias + J));
    this.headsBias.view.set(w.subarray(logvar.bias, logvar.bias + J), J);
  }

  /** The joined heads' gradient back into the μ and logvar layers' places. */
  private splitHeadsGradient(): void {
    const { mu, logvar, latentDim: J } = this.plan;
    const g = this.gradients.view;
    const k = this.headsGradKernel.view;
    for (let r = 0; r < mu.fanIn; r++) {
      g.set(k.subarray(r * 2 * J, r * 2 * J + J), mu.kernel + r * J);
      g.set(k.subarray(r * 2 * J + J, (r + 1) * 2 * J), logvar.kernel + r * J);
    }
    g.set(this.headsGradBias.view.subarray(0, J), mu.bias);
    g.set(this.headsGradBias.view.subarray(J, 2 * J), logvar.bias);
  }

  /** z = μ + exp(½·logvar)·ε for each of the L samples; KL(q‖p) summed per dimension and in all. */
  private sampleLatents(n: number): { kl: number; klDimensions: Float64Array } {
    const { latentDim: J, mcSamples: L } = this.plan;
    const heads = this.heads.out.view;
    const eps = this.eps.view;
    const z = this.z.view;
    const klDimensions = new Float64Array(J);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < J; j++) {
        const mu = heads[i * 2 * J + j]!;
        const logvar = heads[i * 2 * J + J + j]!;
        const std = Math.exp(0.5 * logvar);
        for (let l = 0; l < L; l++) {
          const at = (l * n + i) * J + j;
          z[at] = mu + std * eps[at]!;
        }
        klDimensions[j]! += 0.5 * (mu * mu + std * std - logvar - 1);
      }
    }
    return { kl: klDimensions.reduce((a, b) => a + b, 0), klDimensions };
  }

  /** ∂/∂μ and ∂/∂logvar from ∂/∂z (summed over the L samples) and the KL term (coefficient β / rows, masked by free bits). */
  private latentGradient(n: number, klCoefficient: number, mask: Float32Array | null): void {
    const { latentDim: J, mcSamples: L } = this.plan;
    const heads = this.heads.out.view;
    const dHeads = this.heads.grad.view;
    const eps = this.eps.view;
    const dz = this.dz.view;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < J; j++) {
        const mu = heads[i * 2 * J + j]!;
        const logvar = heads[i * 2 * J + J + j]!;
        const std = Math.exp(0.5 * logvar);
        let dMu = 0;
        let dLogvar = 0;
        for (let l = 0; l < L; l++) {
          const at = (l * n + i) * J + j;
          dMu += dz[at]!;
          dLogvar += dz[at]! * eps[at]!;
        }
        const c = mask ? klCoefficient * mask[j]! : klCoefficient;
        dHeads[i * 2 * J + j] = dMu + c * mu;
        dHeads[i * 2 * J + J + j] = 0.5 * std * dLogvar + c * 0.5 * (std * std - 1);
      }
    }
  }
}
