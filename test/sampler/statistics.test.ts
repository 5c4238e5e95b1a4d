import { describe, expect, it } from 'vitest';
import { fillStandardNormal } from '../../src/sampler/normal.js';
import { fillUniform } from '../../src/sampler/uniform.js';

/**
 * Statistical sanity of 10^6 draws with fixed seeds, so the outcome is deterministic. Bounds are
 * about 5 standard errors (or the 0.1 % critical value for Kolmogorov–Smirnov): a correct sampler
 * passes them for essentially every seed, a biased one fails.
 */
const N = 1_000_000;

/** erf: Maclaurin series for |x| < 3, the Laplace continued fraction of erfc beyond (≈1e-14). */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = a;
  for (let n = 80; n >= 1; n--) k = a + n / 2 / k;
  const erfc = Math.exp(-a * a) / (Math.sqrt(Math.PI) * k);
  return Math.sign(x) * (1 - erfc);
}
const normalCdf = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

/** √n · D of the one-sample Kolmogorov–Smirnov test against `cdf`. */
function ksStatistic(sample: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(sample).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return Math.sqrt(n) * d;
}

function moments(x: Float32Array): { mean: number; variance: number; skewness: number; kurtosis: number } {
  let s1 = 0;
  for (const v of x) s1 += v;
  const mean = s1 / x.length;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const v of x) {
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= x.length;
  return { mean, variance: m2, skewness: m3 / x.length / m2 ** 1.5, kurtosis: m4 / x.length / (m2 * m2) - 3 };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
  }
  const cov = sab / n - (sa / n) * (sb / n);
  return cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
}

describe('statistics of 10^6 draws', () => {
  const z = fillStandardNormal(new Float32Array(N), { seed: 20240611, stream: 0 });

  it('the test’s erf is right', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 13);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 13);
    expect(erf(2)).toBeCloseTo(0.9953222650189527, 13);
    expect(1 - erf(3.5)).toBeCloseTo(7.430983723414128e-7, 15);
    expect(erf(-1)).toBeCloseTo(-0.8427007929497149, 13);
  });

  it('has mean 0, variance 1, no skew and no excess kurtosis', () => {
    const m = moments(z);
    expect(Math.abs(m.mean)).toBeLessThan(0.005); // SE 0.001
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.007); // SE 0.0014
    expect(Math.abs(m.skewness)).toBeLessThan(0.012); // SE 0.0024
    expect(Math.abs(m.kurtosis)).toBeLessThan(0.025); // SE 0.0049
  });

  it('has the normal tail mass beyond 3σ and 4σ', () => {
    let beyond3 = 0;
    let beyond4 = 0;
    let max = 0;
    for (const v of z) {
      const a = Math.abs(v);
      if (a > 3) beyond3++;
      if (a > 4) beyond4++;
      max = Math.max(max, a);
    }
    const p3 = 2 * (1 - normalCdf(3)); // 0.0026998
    const p4 = 2 * (1 - normalCdf(4)); // 6.33e-5
    expect(Math.abs(beyond3 - N * p3)).toBeLessThan(5 * Math.sqrt(N * p3));
    expect(Math.abs(beyond4 - N * p4)).toBeLessThan(5 * Math.sqrt(N * p4));
    expect(max).toBeLessThan(8.58); // √(−2·ln 2^−53)
  });

  it('passes Kolmogorov–Smirnov against N(0, 1) (and its uniforms against U(0, 1))', () => {
    expect(ksStatistic(z, normalCdf)).toBeLessThan(1.95); // 0.1 % critical value
    const far = fillStandardNormal(new Float32Array(200_000), { seed: 7, stream: 3, offset: 2 ** 40 });
    expect(ksStatistic(far, normalCdf)).toBeLessThan(1.95);
    const u = fillUniform(new Float64Array(200_000), { seed: 20240611, stream: 9 });
    expect(ksStatistic(u, (x) => x)).toBeLessThan(1.95);
  });

  it('shows no correlation between neighbours, pair members, streams or seeds', () => {
    const even = new Float32Array(N / 2);
    const odd = new Float32Array(N / 2);
    for (let i = 0; i < N / 2; i++) {
      even[i] = z[2 * i]!;
      odd[i] = z[2 * i + 1]!;
    }
    expect(Math.abs(correlation(even, odd))).toBeLessThan(0.007); // r·cos θ vs r·sin θ
    expect(Math.abs(correlation(z.subarray(0, N - 1), z.subarray(1)))).toBeLessThan(0.005);
    expect(Math.abs(correlation(odd.subarray(0, N / 2 - 1), even.subarray(1)))).toBeLessThan(0.007);
    const otherStream = fillStandardNormal(new Float32Array(N), { seed: 20240611, stream: 1 });
    expect(Math.abs(correlation(z, otherStream))).toBeLessThan(0.005);
    const nextSeed = fillStandardNormal(new Float32Array(N), { seed: 20240612, stream: 0 });
    expect(Math.abs(correlation(z, nextSeed))).toBeLessThan(0.005);
    // Squares too: Box–Muller pairs share r, so a broken pairing shows up in z².
    const sq = (x: Float32Array): Float64Array => {
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) out[i] = x[i]! * x[i]!;
      return out;
    };
    expect(Math.abs(correlation(sq(even), sq(odd)))).toBeLessThan(0.007);
  });
});
