/**
 * The shared memory of data-parallel training: one set of SharedArrayBuffers that the main thread
 * (which coordinates) and every replica worker view alike. The main thread writes a batch and starts a step; each
 * replica writes its shard's gradient into its own slot and marks it done (phase 1); each then
 * updates its share of the shared weights and Adam moments from the slots summed in rank order
 * (shared-adam.ts) and marks that done (phase 2); then all load the new weights. Phase 0 exchanges
 * the per-dimension KL of free bits.
 *
 * Loss slots alternate by step parity: the main thread reads step s's after a worker may have
 * moved on to step s + 1.
 */
import { sharedWasmMemory } from './shared-adam.js';

/** Sizes that fix the layout; what a worker needs (with the buffers) to view the same memory. */
export interface ExchangeSizes {
  workers: number;
  /** Trainable parameters, all variables flattened in `trainableVariables` order. */
  parameters: number;
  batchSize: number;
  features: number;
  latentDim: number;
  mcSamples: number;
  /** One-hot label width of a conditional VAE; 0 otherwise. */
  classes: number;
}

export interface ExchangeBuffers {
  control: SharedArrayBuffer;
  values: SharedArrayBuffer;
  batch: SharedArrayBuffer;
  /**
   * The gradient slots (2 × workers × parameters), then the weights and Adam's first and second
   * moments: a shared wasm memory, so that adam-simd.wat works on them in place.
   */
  memory: WebAssembly.Memory;
}


/** Where a replica's step time went, summed over steps (ms): what bench/fashion-throughput.ts prints. */
export interface ReplicaTimings {
  steps: number;
  /** Forward and backward pass of the shard, and its gradient copied out (plus the free-bits pass). */
  gradientMs: number;
  /** Waiting for the other replicas (their gradients, then their share of the update). */
  waitMs: number;
  /** Summing the replicas' gradients and Adam, on this replica's share of the parameters. */
  adamMs: number;
  /** Loading the new weights into the replica's variables. */
  loadMs: number;
}

// The order of the shared timing words.
const TIMING_KEYS = ['steps', 'gradientMs', 'waitMs', 'adamMs', 'loadMs'] as const;

/** The barriers of a step: free bits' KL sums, gradients, the Adam update. */
export type Phase = 0 | 1 | 2;
const PHASES = 3;

// Int32 control words.
const STEP = 0;
const STOP = 1;
const ROWS = 2;
const DONE = 8; // then per phase, per replica: the last step whose phase it finished

export class StepExchange {
  readonly sizes: ExchangeSizes;
  readonly buffers: ExchangeBuffers;
  private readonly control: Int32Array;
  /**
   * [0] β of the step, then 2 slots × workers × (recon sum, KL sum), then workers × J KL sums per
   * dimension, then workers × the timing words of ReplicaTimings.
   */
  private readonly values: Float64Array;
  readonly x: Float32Array;
  readonly eps: Float32Array;
  readonly c: Float32Array;
  private readonly gradients: Float32Array;
  /** The model's weights and Adam's moments, each parameters long, in `trainableVariables` order. */
  readonly weights: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;

  constructor(sizes: ExchangeSizes, buffers?: ExchangeBuffers) {
    this.sizes = sizes;
    const { workers: W, parameters: P, batchSize: B, features: F, latentDim: J, mcSamples: L, classes: C } = sizes;
    const batchFloats = B * F + L * B * J + B * C;
    this.buffers = buffers ?? {
      control: new SharedArrayBuffer(4 * (DONE + PHASES * W)),
      values: new SharedArrayBuffer(8 * (1 + 4 * W + W * J + W * TIMING_KEYS.length)),
      batch: new SharedArrayBuffer(4 * batchFloats),
      memory: sharedWasmMemory(4 * (2 * W + 3) * P),
    };
    this.control = new Int32Array(this.buffers.control);
    this.values = new Float64Array(this.buffers.values);
    this.x = new Float32Array(this.buffers.batch, 0, B * F);
    this.eps = new Float32Array(this.buffers.batch, 4 * B * F, L * B * J);
    this.c = new Float32Array(this.buffers.batch, 4 * (B * F + L * B * J), B * C);
    const memory = this.buffers.memory.buffer;
    this.gradients = new Float32Array(memory, 0, 2 * W * P);
    this.weights = new Float32Array(memory, 4 * 2 * W * P, P);
    this.m = new Float32Array(memory, 4 * (2 * W + 1) * P, P);
    this.v = new Float32Array(memory, 4 * (2 * W + 2) * P, P);
  }

  /** Main thread: the batch is in `x`, `eps` (L × rows × J, sample-major) and `c`; start step `step`. */
  startStep(step: number, rows: number, beta: number): void {
    Atomics.store(this.control, ROWS, rows);
    this.values[0] = beta;
    Atomics.store(this.control, STEP, step);
    Atomics.notify(this.control, STEP);
  }

  get rows(): number {
    return Atomics.load(this.control, ROWS);
  }

  get beta(): number {
    return this.values[0]!;
  }

  /** Main thread: ask the workers to leave their loop. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, STEP);
  }

  /** Worker: blocks until step `step` starts (true) or the pool stops (false). */
  waitForStep(step: number): boolean {
    for (;;) {
      if (Atomics.load(this.control, STOP)) return false;
      const current = Atomics.load(this.control, STEP);
      if (current >= step) return true;
      Atomics.wait(this.control, STEP, current);
    }
  }

  /** The rows [start, end) of the batch that replica `rank` takes: contiguous, sizes differ by at most one. */
  shard(rank: number, rows = this.rows): [number, number] {
    const W = this.sizes.workers;
    return [Math.floor((rank * rows) / W), Math.floor(((rank + 1) * rows) / W)];
  }

  gradientSlot(step: number, rank: number): Float32Array {
    const P = this.sizes.parameters;
    const offset = ((step % 2) * this.sizes.workers + rank) * P;
    return this.gradients.subarray(offset, offset + P);
  }

  setLossSums(step: number, rank: number, recon: number, kl: number): void {
    const at = 1 + ((step % 2) * this.sizes.workers + rank) * 2;
    this.values[at] = recon;
    this.values[at + 1] = kl;
  }

  /** Σ over replicas, in rank order, of the shards' (recon, KL) sums of step `step`. */
  lossSums(step: number): [number, number] {
    let recon = 0;
    let kl = 0;
    for (let r = 0; r < this.sizes.workers; r++) {
      const at = 1 + ((step % 2) * this.sizes.workers + r) * 2;
      recon += this.values[at]!;
      kl += this.values[at + 1]!;
    }
    return [recon, kl];
  }

  /** Free bits: the shard's per-dimension KL sums. */
  klDimensions(rank: number): Float64Array {
    const J = this.sizes.latentDim;
    const offset = 1 + 4 * this.sizes.workers + rank * J;
    return this.values.subarray(offset, offset + J);
  }

  /** Adds a step's timings of replica `rank` to its running totals. */
  addTimings(rank: number, step: ReplicaTimings): void {
    const at = 1 + 4 * this.sizes.workers + this.sizes.workers * this.sizes.latentDim + rank * TIMING_KEYS.length;
    TIMING_KEYS.forEach((key, i) => (this.values[at + i]! += step[key]));
  }

  /** Replica `rank`'s timings, summed over the steps so far. */
  timings(rank: number): ReplicaTimings {
    const at = 1 + 4 * this.sizes.workers + this.sizes.workers * this.sizes.latentDim + rank * TIMING_KEYS.length;
    return Object.fromEntries(TIMING_KEYS.map((key, i) => [key, this.values[at + i]!])) as unknown as ReplicaTimings;
  }

  /** Σ over replicas, in rank order, of the per-dimension KL sums. */
  klDimensionTotals(): Float64Array {
    const J = this.sizes.latentDim;
    const totals = new Float64Array(J);
    for (let r = 0; r < this.sizes.workers; r++) {
      const shard = this.klDimensions(r);
      for (let j = 0; j < J; j++) totals[j]! += shard[j]!;
    }
    return totals;
  }

  /** The slots of step `step`, in rank order. */
  gradientSlots(step: number): Float32Array[] {
    return Array.from({ length: this.sizes.workers }, (_, r) => this.gradientSlot(step, r));
  }

  /** The parameters [start, end) whose Adam update replica `rank` computes: starts on multiples of 4 (SIMD). */
  parameterShare(rank: number): [number, number] {
    const { workers: W, parameters: P } = this.sizes;
    const boundary = (r: number) => (r === W ? P : Math.min(P, 4 * Math.floor((r * P) / W / 4)));
    return [boundary(rank), boundary(rank + 1)];
  }

  /** Marks phase `phase` of `step` done by `rank`. */
  markDone(phase: Phase, rank: number, step: number): void {
    const index = this.doneIndex(phase, rank);
    Atomics.store(this.control, index, step);
    Atomics.notify(this.control, index);
  }

  /** Worker: blocks until every replica has finished `phase` of `step`. */
  waitAllDone(phase: Phase, step: number): void {
    for (let r = 0; r < this.sizes.workers; r++) {
      const index = this.doneIndex(phase, r);
      for (;;) {
        const current = Atomics.load(this.control, index);
        if (current >= step) break;
        Atomics.wait(this.control, index, current);
      }
    }
  }

  /**
   * Main thread (which must not block while workers may fail): resolves when every replica has
   * finished `phase` of `step`; `failure` rejects when a worker dies.
   */
  async waitAllDoneAsync(phase: Phase, step: number, failure: Promise<never>): Promise<void> {
    for (let r = 0; r < this.sizes.workers; r++) {
      const index = this.doneIndex(phase, r);
      for (;;) {
        const current = Atomics.load(this.control, index);
        if (current >= step) break;
        const wait = waitAsync(this.control, index, current);
        if (wait.async) await Promise.race([wait.value, failure]);
      }
    }
  }

  private doneIndex(phase: Phase, rank: number): number {
    return DONE + phase * this.sizes.workers + rank;
  }
}

// Atomics.waitAsync is in Node ≥ 16 but not in TypeScript's ES2022 lib.
type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
