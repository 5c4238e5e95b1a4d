/** Test helpers: distances in units in the last place, and a deterministic number source. */

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Doubles between a and b (0 when equal, counting ±0 as equal); Infinity when one is NaN. */
export function ulpDistance64(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const order = (x: number): bigint => {
    f64[0] = x;
    const v = i64[0]!;
    return v < 0n ? -(v & 0x7fffffffffffffffn) : v;
  };
  const d = order(a) - order(b);
  return Number(d < 0n ? -d : d);
}

/** float32 values between a and b (both taken as float32). */
export function ulpDistance32(a: number, b: number): number {
  const order = (x: number): number => {
    f32[0] = x;
    const v = i32[0]!;
    return v < 0 ? -(v & 0x7fffffff) : v;
  };
  return Math.abs(order(a) - order(b));
}

/** Spacing of doubles at x (the ulp of x). */
export function ulp64(x: number): number {
  x = Math.abs(x);
  if (x < 2 ** -1022) return 2 ** -1074;
  let e = Math.floor(Math.log2(x));
  if (2 ** e > x) e -= 1; // guard Math.log2 rounding up just below a power of two
  if (2 ** (e + 1) <= x) e += 1;
  return 2 ** (e - 52);
}

/** Deterministic doubles in [0, 1) from mulberry32 (53 bits per value), to reproduce failures. */
export function makeRandom(seed: number): () => number {
  let a = seed | 0;
  const next32 = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}
