/**
 * Philox4x32-10, the counter-based block function of Random123 (Salmon et al., "Parallel Random
 * Numbers: As Easy as 1, 2, 3", SC11), in 32-bit integer arithmetic only.
 *
 * Why only `Math.imul`, shifts and 32-bit wrap-around (`| 0`, `>>> 0`): every JS engine computes
 * them exactly, so a block is bit-identical in Node, browsers and the trainer. A 32×32→64-bit
 * product does not fit a double, so its high word is assembled from 16-bit halves.
 */
import { VaekitError, describeValue } from '../errors.js';

/**
 * Round multipliers, split into 16-bit halves once. Words are kept as signed int32 inside the
 * block function (`| 0`): V8 and the other JITs then stay in 32-bit registers instead of boxing
 * uint32 values above 2^31 as doubles. Only the bits matter; `out` stores them as uint32.
 */
const M0 = 0xd2511f53 | 0;
const M0_LO = M0 & 0xffff;
const M0_HI = M0 >>> 16;
const M1 = 0xcd9e8d57 | 0;
const M1_LO = M1 & 0xffff;
const M1_HI = M1 >>> 16;
/** Weyl increments of the key schedule (golden ratio and √3 − 1, as in Random123). */
const W0 = 0x9e3779b9 | 0;
const W1 = 0xbb67ae85 | 0;

/** Number of rounds: 10, the Random123 default ("Philox4x32-10"). */
export const PHILOX_ROUNDS = 10;

/**
 * High 32 bits (as int32) of the 64-bit product `a · m`, for a 32-bit word `a` and a multiplier
 * given as 16-bit halves (Hacker's Delight `mulhu`). With a = aHi·2^16 + aLo:
 *   t  = aHi·mLo + (aLo·mLo >>> 16)        ≤ (2^16−1)² + 2^16 − 1 < 2^32
 *   w1 = (t mod 2^16) + aLo·mHi            < 2^32
 *   hi = aHi·mHi + (t >>> 16) + (w1 >>> 16)  (the true high word, < 2^32)
 * Every term is < 2^32, so `Math.imul` and sums modulo 2^32 (`| 0`) are exact, and `>>> 16`
 * reads the unsigned bits.
 */
function mulHi(a: number, mLo: number, mHi: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const t = (Math.imul(aHi, mLo) + (Math.imul(aLo, mLo) >>> 16)) | 0;
  const w1 = ((t & 0xffff) + Math.imul(aLo, mHi)) | 0;
  return (Math.imul(aHi, mHi) + (t >>> 16) + (w1 >>> 16)) | 0;
}

/**
 * One Philox4x32-10 block from scalar words; the hot paths call this to avoid array reads.
 * Arguments are 32-bit words (any number is taken modulo 2^32). Writes 4 words to `out[0..3]`.
 */
export function philoxBlock(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  let x0 = c0 | 0;
  let x1 = c1 | 0;
  let x2 = c2 | 0;
  let x3 = c3 | 0;
  let key0 = k0 | 0;
  let key1 = k1 | 0;
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    const hi0 = mulHi(x0, M0_LO, M0_HI);
    const lo0 = Math.imul(x0, M0);
    const hi1 = mulHi(x2, M1_LO, M1_HI);
    const lo1 = Math.imul(x2, M1);
    x0 = hi1 ^ x1 ^ key0;
    x1 = lo1;
    x2 = hi0 ^ x3 ^ key1;
    x3 = lo0;
    // Key schedule: Random123 bumps the key between rounds (the bump after the last is unused).
    key0 = (key0 + W0) | 0;
    key1 = (key1 + W1) | 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/**
 * Philox4x32-10: maps a 128-bit counter (4 uint32 words) and a 64-bit key (2 uint32 words) to 4
 * pseudo-random uint32 words, written into `out` (no allocation). Word order follows Random123's
 * `philox4x32_ctr_t` / `philox4x32_key_t` arrays, so its known-answer vectors apply verbatim.
 *
 * @param counter - 4 uint32 words (`counter[0]` is Random123's `ctr.v[0]`).
 * @param key - 2 uint32 words.
 * @param out - receives the 4 output words; returned for chaining.
 *
 * @example
 * ```ts
 * import { philox4x32 } from 'vaekit';
 * const out = philox4x32([0, 0, 0, 0], [0, 0], new Uint32Array(4));
 * out[0].toString(16); // "6627e8d5" (Random123's known answer: 6627e8d5 e169c58d bc57ac4c 9b00dbd8)
 * out[3] === 0x9b00dbd8; // true
 * ```
 */
export function philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array): Uint32Array {
  const words = (name: string, value: ArrayLike<number>, n: number): number[] => {
    const list = Array.from(value ?? [], (w) => w >>> 0);
    if (list.length !== n || Array.from(value).some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new VaekitError('invalid-argument', `'${name}' must be ${n} uint32 words; found ${describeValue(value)}`);
    }
    return list;
  };
  const [c0, c1, c2, c3] = words('counter', counter, 4) as [number, number, number, number];
  const [k0, k1] = words('key', key, 2) as [number, number];
  if (!(out instanceof Uint32Array) || out.length < 4) throw new VaekitError('invalid-argument', `'out' must be a Uint32Array of 4 words; found ${describeValue(out)}`);
  philoxBlock(c0, c1, c2, c3, k0, k1, out);
  return out;
}
