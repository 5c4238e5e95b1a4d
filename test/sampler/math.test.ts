import { describe, expect, it } from 'vitest';
import { exp, log, sinCosTwoPi } from '../../src/sampler/math.js';
import { makeRandom, ulp64, ulpDistance64 } from './ulp.js';

/** Largest ulp distance between f and ref over xs, with the worst input (for the failure message). */
function worst(xs: number[], f: (x: number) => number, ref: (x: number) => number): { ulps: number; at: number } {
  let result = { ulps: 0, at: NaN };
  for (const x of xs) {
    const d = ulpDistance64(f(x), ref(x));
    if (d > result.ulps) result = { ulps: d, at: x };
  }
  return result;
}

const random = makeRandom(20240611);
const uniforms = Array.from({ length: 100_000 }, random);

describe('log', () => {
  it('is within 2 ulp of Math.log over (0, 1), wide magnitudes and near 1', () => {
    const xs = [
      ...uniforms,
      ...uniforms.slice(0, 50_000).map((u) => u ** 40), // tiny values
      ...uniforms.slice(0, 50_000).map((u) => 2 ** (2000 * u - 1000)), // every exponent
      ...uniforms.slice(0, 50_000).map((u) => 1 + (u - 0.5) * 2 ** -20), // f = m − 1 tiny
    ];
    expect(worst(xs, log, Math.log).ulps).toBeLessThanOrEqual(2);
  });

  it('handles the edges of the sampler’s uniforms and of the double range', () => {
    const edges = [
      2 ** -53, 3 * 2 ** -53, 1 - 2 ** -53, 1 - 3 * 2 ** -53, 0.5, Math.SQRT1_2, Math.SQRT2,
      Number.MIN_VALUE, 2 ** -1022, 2 ** -1022 * 1.5, 1e-310, Number.MAX_VALUE, 1 + 2 ** -52,
    ];
    for (const x of edges) expect(ulpDistance64(log(x), Math.log(x)), `log(${x})`).toBeLessThanOrEqual(1);
    const powers = Array.from({ length: 2098 }, (_, i) => 2 ** (i - 1074));
    expect(worst(powers, log, Math.log).ulps).toBeLessThanOrEqual(1);
    expect(log(1)).toBe(0);
    expect(log(0)).toBe(-Infinity);
    expect(log(Infinity)).toBe(Infinity);
    expect(log(-1)).toBeNaN();
    expect(log(NaN)).toBeNaN();
  });
});

describe('exp', () => {
  it('is within 2 ulp of Math.exp from underflow to overflow', () => {
    const xs = [
      ...uniforms.map((u) => 1490 * u - 745), // whole finite range, subnormal results included
      ...uniforms.slice(0, 50_000).map((u) => 2 * u - 1),
      ...uniforms.slice(0, 50_000).map((u) => (u - 0.5) * 1e-12),
    ];
    expect(worst(xs, exp, Math.exp).ulps).toBeLessThanOrEqual(2);
  });

  it('is exact at 0 and saturates like Math.exp at the ends', () => {
    expect(exp(0)).toBe(1);
    expect(exp(-0)).toBe(1);
    expect(ulpDistance64(exp(1), Math.E)).toBeLessThanOrEqual(1);
    expect(ulpDistance64(exp(709.782712893384), Math.exp(709.782712893384))).toBeLessThanOrEqual(1);
    expect(exp(709.79)).toBe(Infinity);
    expect(exp(1000)).toBe(Infinity);
    expect(exp(Infinity)).toBe(Infinity);
    expect(exp(-745.1)).toBe(Number.MIN_VALUE);
    expect(exp(-745.2)).toBe(0);
    expect(exp(-Infinity)).toBe(0);
    expect(exp(NaN)).toBeNaN();
    expect(exp(1e-300)).toBe(1);
  });

  it('inverts log up to the error that log’s rounding implies', () => {
    // exp amplifies an absolute error δ of log(u) into a relative error δ; ulp(log u) ≈ |log u|·2^-52.
    const xs = uniforms.slice(0, 10_000);
    const bad = xs.filter((u) => ulpDistance64(exp(log(u)), u) > 2 * Math.abs(Math.log(u)) + 3);
    expect(bad).toEqual([]);
  });
});

describe('sinCosTwoPi', () => {
  const sc = new Float64Array(2);
  const sin = (u: number): number => (sinCosTwoPi(u, sc), sc[0]!);
  const cos = (u: number): number => (sinCosTwoPi(u, sc), sc[1]!);

  it('is within 3 ulp of Math.sin/Math.cos(2πu) where 2πu is rounded harmlessly (u ≤ 1/8)', () => {
    const xs = uniforms.map((u) => u / 8);
    expect(worst(xs, sin, (u) => Math.sin(2 * Math.PI * u)).ulps).toBeLessThanOrEqual(3);
    expect(worst(xs, cos, (u) => Math.cos(2 * Math.PI * u)).ulps).toBeLessThanOrEqual(3);
    const tiny = uniforms.slice(0, 1000).map((u) => u * 2 ** -40);
    expect(worst(tiny, sin, (u) => Math.sin(2 * Math.PI * u)).ulps).toBeLessThanOrEqual(2);
  });

  it('agrees with Math.sin/Math.cos(2πu) on [0, 1) up to the rounding of 2πu itself', () => {
    const bad: number[] = [];
    for (const u of uniforms) {
      sinCosTwoPi(u, sc);
      const x = 2 * Math.PI * u;
      // Math.sin(x) inherits the error of x (≈ 2πu·2^-53 absolute) on top of its own ulp.
      const slack = 8 * u * 2 ** -53;
      if (Math.abs(sc[0]! - Math.sin(x)) > 3 * ulp64(Math.sin(x)) + slack) bad.push(u);
      if (Math.abs(sc[1]! - Math.cos(x)) > 3 * ulp64(Math.cos(x)) + slack) bad.push(u);
    }
    expect(bad).toEqual([]);
  });

  it('is exact at quarter turns and keeps the symmetries of the circle exactly', () => {
    const at = (u: number): number[] => (sinCosTwoPi(u, sc), [sc[0]!, sc[1]!]);
    expect(at(0)).toEqual([0, 1]);
    expect(at(0.25)).toEqual([1, 0]);
    expect(at(0.5)).toEqual([0, -1]);
    expect(at(0.75)).toEqual([-1, 0]);
    expect(at(1)).toEqual([0, 1]);
    expect(ulpDistance64(sin(1 / 8), Math.SQRT1_2)).toBeLessThanOrEqual(1);
    expect(ulpDistance64(cos(1 / 8), Math.SQRT1_2)).toBeLessThanOrEqual(1);
    expect(ulpDistance64(sin(1 / 12), 0.5)).toBeLessThanOrEqual(1);
    // Multiples of 2^-32 in [0, ¼): 0.5 − u, u + ¼ and u + 3 are all exact.
    const bad: number[] = [];
    for (const u of uniforms.slice(0, 20_000).map((v) => Math.floor(v * 2 ** 30) / 2 ** 32)) {
      const [s, c] = at(u) as [number, number];
      const same = (a: number[], b: number[]): boolean => a.every((v, i) => Object.is(v, b[i]) || v === b[i]);
      if (!same(at(0.5 - u), [s, -c])) bad.push(u);
      if (!same(at(u + 0.25), [c, -s])) bad.push(u);
      if (!same(at(-u), [-s, c])) bad.push(u);
      if (!same(at(u + 3), [s, c])) bad.push(u);
      if (Math.abs(s * s + c * c - 1) > 4e-16) bad.push(u);
    }
    expect(bad).toEqual([]);
    expect(at(NaN).every(Number.isNaN)).toBe(true);
    expect(at(Infinity).every(Number.isNaN)).toBe(true);
  });
});
