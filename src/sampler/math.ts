/**
 * Deterministic `log`, `exp` and `sin/cos(2πu)` built from IEEE-754 basic operations only.
 *
 * Why not `Math.log` & co.: ECMAScript lets engines approximate them, and their last bits do differ
 * between V8, SpiderMonkey and JavaScriptCore. `+ − × ÷` are IEEE-754 correctly rounded, integer
 * and bit operations and `Math.floor` are exact, and JS never fuses a multiply-add, so these
 * functions return the same bits in every engine. (The sampler also uses `Math.sqrt`: the spec
 * text allows an approximation there too, but every engine compiles it to the correctly rounded
 * hardware square root; the golden vectors would catch one that does not.) Accuracy: ~1 ulp.
 *
 * Constants: decimal literals with at most 17 significant digits (which every engine must parse
 * correctly rounded), or exact quotients of small integers. The polynomial coefficients are the
 * Taylor coefficients, rounded to double with 200-bit arithmetic (mpmath).
 */

/** One scratch double with a 32-bit view, to split a double into exponent and mantissa. */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Typed arrays use the platform's byte order; find which word holds the sign and exponent.
f64[0] = 1;
const HI = u32[1] === 0x3ff00000 ? 1 : 0;

/** ln 2 = LN2_HI + LN2_LO; LN2_HI has 32 significant bits, so k·LN2_HI is exact for |k| < 2^21. */
const LN2_HI = 0.6931471803691238; // 0x3fe62e42fee00000
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = 1.4426950408889634;
const TWO_POW_54 = 18014398509481984;
const MIN_NORMAL = 2.2250738585072014e-308;

/** POW2[POW2_ZERO + j] = 2^j for j in [−1074, 1023], built by exact doubling and halving. */
const POW2_ZERO = 1074;
const POW2 = new Float64Array(POW2_ZERO + 1024);
POW2[POW2_ZERO] = 1;
for (let j = 1; j <= POW2_ZERO; j++) {
  if (j <= 1023) POW2[POW2_ZERO + j] = POW2[POW2_ZERO + j - 1]! * 2;
  POW2[POW2_ZERO - j] = POW2[POW2_ZERO - j + 1]! / 2;
}

/** 2/(2k+1), k = 1…10: the atanh series log((1+s)/(1−s)) = 2s + 2s³/3 + 2s⁵/5 + … */
const L1 = 2 / 3;
const L2 = 2 / 5;
const L3 = 2 / 7;
const L4 = 2 / 9;
const L5 = 2 / 11;
const L6 = 2 / 13;
const L7 = 2 / 15;
const L8 = 2 / 17;
const L9 = 2 / 19;
const L10 = 2 / 21;

/**
 * Natural logarithm, within ~1 ulp of the true value.
 *
 * x = 2^k · m with m in [√2/2, √2), f = m − 1 (exact), s = f/(2+f), and
 * log(m) = 2·atanh(s) = f − (f²/2 − s·(f²/2 + R(s²))) (the fdlibm arrangement: the leading `f` is
 * exact, so the rounding error of `s` only reaches the small correction). |s| ≤ 0.1716, so 10
 * series terms leave a truncation error below 1e-18 relative.
 *
 * @example
 * ```ts
 * import { log } from 'vaekit';
 * log(1); // 0
 * log(Math.E); // 1
 * log(1e-300); // ≈ -690.7755278982137
 * ```
 */
export function log(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN; // also NaN for NaN
  if (x === Infinity) return x;
  let scaled = 0;
  if (x < MIN_NORMAL) {
    // Subnormal: scale into the normal range first (exact).
    x *= TWO_POW_54;
    scaled = 54;
  }
  f64[0] = x;
  const hi = u32[HI]!;
  let k = (hi >>> 20) - 1023;
  // 0x6a09e is the top of √2's mantissa: above it, take m in [√2/2, 1) and bump k.
  if ((hi & 0x000fffff) >= 0x6a09e) k += 1;
  // m = x·2^−k is exact; multiplying beats rewriting the exponent bits through the typed-array
  // view (a narrow store followed by a wide load stalls store forwarding).
  const f = x * POW2[POW2_ZERO - k]! - 1;
  k -= scaled;
  const s = f / (2 + f);
  const z = s * s;
  const series = L1 + z * (L2 + z * (L3 + z * (L4 + z * (L5 + z * (L6 + z * (L7 + z * (L8 + z * (L9 + z * L10))))))));
  const r = z * series;
  const hfsq = 0.5 * f * f;
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
}

/** 1/n!, n = 2…14: exp(r) = 1 + r + r²·(1/2! + r/3! + … + r¹²/14!), |r| ≤ ln2/2. */
const E2 = 1 / 2;
const E3 = 1 / 6;
const E4 = 1 / 24;
const E5 = 1 / 120;
const E6 = 1 / 720;
const E7 = 1 / 5040;
const E8 = 1 / 40320;
const E9 = 1 / 362880;
const E10 = 1 / 3628800;
const E11 = 1 / 39916800;
const E12 = 1 / 479001600;
const E13 = 1 / 6227020800;
const E14 = 1 / 87178291200;

/**
 * Exponential, within ~1 ulp of the true value; `exp(0) === 1` exactly.
 *
 * x = k·ln2 + r with |r| ≤ ln2/2 (k·LN2_HI is exact, so r = hi − lo keeps its bits), exp(r) by
 * its Taylor series to r¹⁴ (truncation < 1e-19), then an exact scaling by 2^k (split in two
 * factors near the ends of the exponent range so that overflow → Infinity, underflow → 0 and
 * subnormal results round once).
 *
 * @example
 * ```ts
 * import { exp } from 'vaekit';
 * exp(0); // 1
 * exp(1); // ≈ 2.718281828459045 (within 1 ulp)
 * ```
 */
export function exp(x: number): number {
  if (x !== x) return x;
  if (x > 710) return Infinity;
  if (x < -746) return 0;
  const k = Math.floor(x * INV_LN2 + 0.5);
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const q = E2 + r * (E3 + r * (E4 + r * (E5 + r * (E6 + r * (E7 + r * (E8 + r * (E9 + r * (E10 + r * (E11 + r * (E12 + r * (E13 + r * E14)))))))))));
  const y = 1 + (hi - (lo - r * r * q));
  if (k > 1023) return y * POW2[POW2_ZERO + 1023]! * POW2[POW2_ZERO + k - 1023]!;
  if (k < -1022) return y * POW2[POW2_ZERO + k + 54]! * POW2[POW2_ZERO - 54]!;
  return y * POW2[POW2_ZERO + k]!;
}

/** sin(πg/2) = g·Σ S_k·g^(2k), k = 0…8, for g in [0, 1/2] (Taylor; truncation < 1e-19). */
const S0 = 1.5707963267948966;
const S1 = -0.6459640975062463;
const S2 = 0.07969262624616705;
const S3 = -0.004681754135318688;
const S4 = 0.00016044118478735983;
const S5 = -3.598843235212085e-6;
const S6 = 5.692172921967927e-8;
const S7 = -6.688035109811468e-10;
const S8 = 6.0669357311061955e-12;
/** cos(πg/2) = Σ C_k·g^(2k), k = 0…9, for g in [0, 1/2] (Taylor; truncation < 1e-20). */
const C1 = -1.2337005501361697;
const C2 = 0.25366950790104803;
const C3 = -0.02086348076335296;
const C4 = 0.0009192602748394266;
const C5 = -2.5202042373060607e-5;
const C6 = 4.710874778818172e-7;
const C7 = -6.386603083791852e-9;
const C8 = 6.565963114979473e-11;
const C9 = -5.294400200734623e-13;

/**
 * Octant = 2·quadrant + swap. In the quadrant, φ = f·π/2 is g·π/2 (no swap) or π/2 − g·π/2 (swap);
 * then sin(qπ/2 + φ), cos(qπ/2 + φ) for q = 0…3 are (sin φ, cos φ), (cos φ, −sin φ),
 * (−sin φ, −cos φ), (−cos φ, sin φ). Each table row picks ±sg or ±cg.
 */
const SIN_FROM_SIN = new Float64Array([1, 0, 0, 1, -1, 0, 0, -1]);
const SIN_FROM_COS = new Float64Array([0, 1, 1, 0, 0, -1, -1, 0]);
const COS_FROM_SIN = new Float64Array([0, 1, -1, 0, 0, -1, 1, 0]);
const COS_FROM_COS = new Float64Array([1, 0, 0, -1, -1, 0, 0, 1]);

/**
 * Writes sin(2πu) to `out[0]` and cos(2πu) to `out[1]`, each within ~1 ulp (no allocation).
 *
 * The argument is a fraction of a turn, so the reduction is exact: 4|u| = q + f with q an integer
 * quadrant and f in [0, 1) (both exact), then f or 1 − f (exact, Sterbenz) gives g in [0, 1/2],
 * an angle of at most π/4, where short polynomials in g suffice. No multiple of π is ever rounded,
 * which also makes sin(2π·¼) = 1 and cos(2π·¼) = 0 exactly.
 *
 * @example
 * ```ts
 * import { sinCosTwoPi } from 'vaekit';
 * const sc = new Float64Array(2);
 * sinCosTwoPi(0.125, sc); // sc ≈ [0.7071067811865476, 0.7071067811865476] (π/4, within 1 ulp)
 * sinCosTwoPi(0.25, sc); // sc = [1, 0] exactly
 * ```
 */
export function sinCosTwoPi(u: number, out: Float64Array): void {
  if (!Number.isFinite(u)) {
    out[0] = NaN;
    out[1] = NaN;
    return;
  }
  const a = u < 0 ? -u : u;
  const t = a * 4;
  const whole = Math.floor(t);
  const f = t - whole;
  const swap = f > 0.5;
  const g = swap ? 1 - f : f;
  const z = g * g;
  const sinPoly = S0 + z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * (S6 + z * (S7 + z * S8)))))));
  const sg = g * sinPoly;
  const cg = 1 + z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * (C6 + z * (C7 + z * (C8 + z * C9))))))));
  // Rotate (sin, cos) of g·π/2 into the octant with ±1/0 factors (exact) instead of branches,
  // which the random angles of Box–Muller would mispredict half of the time.
  const octant = (whole % 4) * 2 + (swap ? 1 : 0);
  const s = SIN_FROM_SIN[octant]! * sg + SIN_FROM_COS[octant]! * cg;
  const c = COS_FROM_SIN[octant]! * sg + COS_FROM_COS[octant]! * cg;
  out[0] = u < 0 ? -s : s;
  out[1] = c;
}
