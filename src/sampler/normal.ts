/**
 * Standard normal draws: Box–Muller over the stream's uniforms, with vaekit's deterministic
 * `log` and `sinCosTwoPi` and the correctly rounded `Math.sqrt`, so every engine gets the same bits.
 */
import { log, sinCosTwoPi } from './math.js';
import { cursorAt, nextBlock, uniformFromWords, type BlockCursor, type StreamOptions } from './stream.js';
import { checkArray, checkStreamPosition } from './validate.js';

// Module scratch: the functions below are synchronous and never re-entered.
const words = new Uint32Array(4);
const sinCos = new Float64Array(2);
const pair = new Float64Array(2);

/** Box–Muller of the cursor's next block into pair = [r·cos θ, r·sin θ], θ = 2π·u2. */
function nextPair(cursor: BlockCursor): void {
  nextBlock(cursor, words);
  const u1 = uniformFromWords(words[0]!, words[1]!);
  const u2 = uniformFromWords(words[2]!, words[3]!);
  const r = Math.sqrt(-2 * log(u1));
  sinCosTwoPi(u2, sinCos);
  pair[0] = r * sinCos[1]!;
  pair[1] = r * sinCos[0]!;
}

/** Fills `out` with normals offset… of (seed, stream); arguments already validated. */
export function writeNormals(out: Float32Array, seed: number, stream: number, offset: number): void {
  const n = out.length;
  if (n === 0) return;
  const cursor = cursorAt(seed, stream, Math.floor(offset / 2));
  let i = 0;
  if (offset % 2 === 1) {
    // The range starts on the second normal of a block.
    nextPair(cursor);
    out[0] = pair[1]!;
    i = 1;
  }
  for (; i + 1 < n; i += 2) {
    nextPair(cursor);
    // Float32Array stores round like Math.fround.
    out[i] = pair[0]!;
    out[i + 1] = pair[1]!;
  }
  if (i < n) {
    nextPair(cursor);
    out[i] = pair[0]!;
  }
}

/**
 * Fills `out[k]` with standard normal number `offset + k` of the stream (seed, stream), rounded to
 * float32. Bit-identical in every runtime, and independent of how a range is split: drawing
 * [0, n) at once equals drawing [0, m) then [m, n) with `offset: m`.
 *
 * Normals 2b and 2b+1 are the Box–Muller pair of Philox block b. With U[i] the uniforms that
 * `fillUniform` returns for the same seed and stream: r = √(−2·log U[2b]), θ = 2π·U[2b+1],
 * normal 2b = r·cos θ, normal 2b+1 = r·sin θ. Every |value| < 8.58 (U ≥ 2^−53) and ≠ 0.
 *
 * @param out - receives the draws (its length is the count); returned.
 * @param options - seed (integer in [0, 2^53−1]), stream (uint32, default 0), offset (default 0;
 *   offset + out.length ≤ 2^53).
 * @throws VaekitError 'invalid-argument' for a bad seed, stream or offset.
 *
 * @example
 * ```ts
 * import { fillStandardNormal } from 'vaekit';
 * const eps = fillStandardNormal(new Float32Array(4), { seed: 42, stream: 0 });
 * const tail = fillStandardNormal(new Float32Array(2), { seed: 42, stream: 0, offset: 2 });
 * tail[0] === eps[2] && tail[1] === eps[3]; // true
 * ```
 */
export function fillStandardNormal(out: Float32Array, options: StreamOptions): Float32Array {
  checkArray(out, Float32Array, 'out');
  const { seed, stream, offset } = checkStreamPosition(options, out.length);
  writeNormals(out, seed, stream, offset);
  return out;
}
