/**
 * A cursor over one normal stream, for callers that draw batch after batch (the trainer's ε).
 * Its whole state is (seed, stream, position), so a checkpoint stores `position` and a resumed run
 * calls `seek(position)` to continue with exactly the values an uninterrupted run would draw.
 */
import { writeNormals } from './normal.js';
import type { StreamOptions } from './stream.js';
import { checkArray, checkCount, checkOffset, checkOptions, checkSeed, checkStream } from './validate.js';

/**
 * Draws consecutive standard normals (float32) of the stream (seed, stream). `next(n)` returns the
 * same values as `fillStandardNormal(new Float32Array(n), { seed, stream, offset: position })` and
 * then advances `position` by n.
 *
 * @example
 * ```ts
 * import { NormalSampler } from 'vaekit';
 * const sampler = new NormalSampler({ seed: 1, stream: 0 });
 * const batch = sampler.next(128 * 20); // ε for one batch: 128 examples × 20 latent dims
 * const saved = sampler.position; // store it in the checkpoint
 * saved; // 2560
 * const resumed = new NormalSampler({ seed: 1, stream: 0 }).seek(saved);
 * resumed.next(5).join() === sampler.next(5).join(); // true
 * ```
 */
export class NormalSampler {
  /** The Philox key: an integer in [0, 2^53 − 1]. */
  readonly seed: number;
  /** The uint32 stream id. */
  readonly stream: number;
  #position: number;

  /**
   * @param options - seed (integer in [0, 2^53−1]), stream (uint32, default 0) and the starting
   *   offset (default 0).
   * @throws VaekitError 'invalid-argument' for a bad seed, stream or offset.
   */
  constructor(options: StreamOptions) {
    const o = checkOptions(options);
    this.seed = checkSeed(o.seed);
    this.stream = checkStream(o.stream);
    this.#position = checkOffset(o.offset, 0);
  }

  /** Index of the next normal this sampler draws (the number drawn so far when it started at 0). */
  get position(): number {
    return this.#position;
  }

  /**
   * Moves to normal number `offset` of the stream (forward or backward, in O(1)).
   * @throws VaekitError 'invalid-argument' unless offset is an integer in [0, 2^53].
   */
  seek(offset: number): this {
    this.#position = checkOffset(offset, 0);
    return this;
  }

  /**
   * Draws the next `count` normals into a new Float32Array and advances.
   * @throws VaekitError 'invalid-argument' for a bad count or when the stream would run past 2^53.
   */
  next(count: number): Float32Array {
    checkCount(count, 'count');
    checkOffset(this.#position, count, 'position'); // before allocating
    return this.fill(new Float32Array(count));
  }

  /** Draws the next `out.length` normals into `out` (no allocation), advances, returns `out`. */
  fill(out: Float32Array): Float32Array {
    checkArray(out, Float32Array, 'out');
    checkOffset(this.#position, out.length, 'position');
    writeNormals(out, this.seed, this.stream, this.#position);
    this.#position += out.length;
    return out;
  }
}
