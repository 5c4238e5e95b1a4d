/**
 * Uniform draws in (0, 1) from the same stream layout as the normals (see stream.ts).
 */
import { cursorAt, nextBlock, uniformFromWords, type StreamOptions } from './stream.js';
import { checkArray, checkStreamPosition } from './validate.js';

const words = new Uint32Array(4);

/**
 * Fills `out[k]` with uniform number `offset + k` of the stream (seed, stream): a double in (0, 1)
 * of the form (2k+1)/2^53 (52 random bits), never 0 or 1, bit-identical in every runtime.
 *
 * Uniforms 2b and 2b+1 come from Philox block b, and they are exactly the pair that
 * `fillStandardNormal` turns into normals 2b and 2b+1 of the same (seed, stream). Both functions
 * read the same blocks, so draw uniforms and normals from different stream ids unless you mean
 * them to be related.
 *
 * @param out - receives the draws (its length is the count); returned.
 * @param options - seed (integer in [0, 2^53−1]), stream (uint32, default 0), offset (default 0;
 *   offset + out.length ≤ 2^53).
 * @throws VaekitError 'invalid-argument' for a bad seed, stream or offset.
 *
 * @example
 * ```ts
 * import { fillUniform } from 'vaekit';
 * const u = fillUniform(new Float64Array(3), { seed: 7, stream: 1 });
 * const pick = Math.floor(u[0]! * 10); // an integer in 0…9
 * u.every((x) => x > 0 && x < 1); // true
 * ```
 */
export function fillUniform(out: Float64Array, options: StreamOptions): Float64Array {
  checkArray(out, Float64Array, 'out');
  const { seed, stream, offset } = checkStreamPosition(options, out.length);
  const n = out.length;
  if (n === 0) return out;
  const cursor = cursorAt(seed, stream, Math.floor(offset / 2));
  let i = 0;
  if (offset % 2 === 1) {
    nextBlock(cursor, words);
    out[0] = uniformFromWords(words[2]!, words[3]!);
    i = 1;
  }
  for (; i + 1 < n; i += 2) {
    nextBlock(cursor, words);
    out[i] = uniformFromWords(words[0]!, words[1]!);
    out[i + 1] = uniformFromWords(words[2]!, words[3]!);
  }
  if (i < n) {
    nextBlock(cursor, words);
    out[i] = uniformFromWords(words[0]!, words[1]!);
  }
  return out;
}
