/**
 * How (seed, stream, index) address Philox blocks: the one place that defines the stream layout.
 *
 * - key    = [seed mod 2^32, floor(seed / 2^32)]             (seed ≤ 2^53 − 1)
 * - counter = [block mod 2^32, floor(block / 2^32), stream, 0]  (stream is a uint32)
 * - block b yields two uniforms: uniform 2b from words 0–1, uniform 2b+1 from words 2–3;
 *   and two normals by Box–Muller of those same uniforms: normal 2b = r·cos θ, 2b+1 = r·sin θ.
 *
 * So value i of a stream depends only on (seed, stream, i): any range is computed directly,
 * without drawing what comes before it.
 *
 * Why two 52-bit uniforms per block rather than four 32-bit ones: Box–Muller's radius
 * √(−2·log u) is only as fine and as far-reaching as u near 0. With u ≥ 2^−53 the normals reach
 * 8.57σ (32-bit uniforms would stop at 6.66σ) and float32 results are never limited by the
 * uniform's resolution. Philox costs less than the log and sin/cos it feeds, so the spent bits
 * are cheap.
 */
import { philoxBlock } from './philox.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_33 = 8589934592;
const TWO_POW_MINUS_53 = 1.1102230246251565e-16;

/**
 * The seed used wherever a seed is not given — `Vae` methods, every CLI command, training and the
 * train/test split of PNG folders and CSV tables: one default, owned by the sampler.
 *
 * @example
 * ```ts
 * import { DEFAULT_SEED, samplePrior } from 'vaekit';
 * DEFAULT_SEED; // 0
 * samplePrior(2, 3, { seed: DEFAULT_SEED })[0] === samplePrior(2, 3, { seed: 0 })[0]; // true
 * ```
 */
export const DEFAULT_SEED = 0;

/** Where a stream starts: the options shared by every sampler function. */
export interface StreamOptions {
  /** Integer in [0, 2^53 − 1]; becomes the Philox key. */
  seed: number;
  /** uint32 stream id (default 0); use a different one for each purpose. */
  stream?: number;
  /** Index of the first value to draw (default 0). */
  offset?: number;
}

/** A stream position resolved to Philox inputs; mutable so hot loops advance it in place. */
export interface BlockCursor {
  key0: number;
  key1: number;
  stream: number;
  /** Low and high words of the block index. */
  block0: number;
  block1: number;
}

/** The cursor of block `block` (an integer < 2^52) of (seed, stream). */
export function cursorAt(seed: number, stream: number, block: number): BlockCursor {
  const key0 = seed >>> 0;
  const block0 = block >>> 0;
  return {
    key0,
    key1: (seed - key0) / TWO_POW_32,
    stream,
    block0,
    block1: (block - block0) / TWO_POW_32,
  };
}

/** Computes the cursor's block into `words`, then moves the cursor to the next block. */
export function nextBlock(cursor: BlockCursor, words: Uint32Array): void {
  philoxBlock(cursor.block0, cursor.block1, cursor.stream, 0, cursor.key0, cursor.key1, words);
  cursor.block0 = (cursor.block0 + 1) >>> 0;
  if (cursor.block0 === 0) cursor.block1 += 1;
}

/**
 * A uniform in (0, 1) from two words: 52 random bits k (all of `lo`, the top 20 of `hi`) give
 * u = (2k + 1) / 2^53, the midpoint of one of 2^52 equal cells. Exact in a double; never 0 (so
 * log(u) is finite) and never 1; symmetric about ½; smallest value 2^−53.
 */
export function uniformFromWords(lo: number, hi: number): number {
  return ((hi >>> 12) * TWO_POW_33 + lo * 2 + 1) * TWO_POW_MINUS_53;
}
