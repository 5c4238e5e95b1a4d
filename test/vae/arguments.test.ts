import { describe, expect, it } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { checkCount, checkFiniteNumbers, checkOptionsObject, checkTemperature, maxResultRows } from '../../src/vae/arguments.js';
import { cornerGrid, lerp, slerp, traverseLatent } from '../../src/vae/latent.js';

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VaekitError);
    return `${(e as VaekitError).code}: ${(e as VaekitError).message}`;
  }
  throw new Error('expected a VaekitError');
}

describe('argument checks', () => {
  it('counts: integers in [1, max], the limit and its reason in the message', () => {
    expect(checkCount(5, 'n', 10, 'why')).toBe(5);
    for (const bad of [0, 11, 1.5, NaN, Infinity, '3', undefined]) {
      expect(thrown(() => checkCount(bad, 'n', 10, 'why'))).toMatch(/^invalid-argument: 'n' must be an integer in \[1, 10\] \(why\); found /);
    }
    expect(maxResultRows(784)).toBe(342_392);
    expect(maxResultRows(2 ** 29)).toBe(1);
  });

  it('number lists: arrays or typed arrays of finite numbers, non-finite naming the index', () => {
    expect(checkFiniteNumbers([1, 2], 'values', 5, 'why')).toEqual([1, 2]);
    expect(thrown(() => checkFiniteNumbers([1, NaN], 'values', 5, 'why'))).toBe("non-finite: 'values' must be finite; found NaN at index 1");
    expect(thrown(() => checkFiniteNumbers(new Float64Array([Infinity]), 'values', 5, 'why'))).toBe("non-finite: 'values' must be finite; found Infinity at index 0");
    expect(thrown(() => checkFiniteNumbers([1, '2'], 'values', 5, 'why'))).toMatch(/^dtype-mismatch: 'values\[1\]' must be a number/);
    expect(thrown(() => checkFiniteNumbers([], 'values', 5, 'why'))).toBe("invalid-argument: 'values' must hold 1 to 5 numbers (why); found 0");
    expect(thrown(() => checkFiniteNumbers(new BigInt64Array(1), 'values', 5, 'why'))).toMatch(/^invalid-argument: 'values' must be an array of numbers/);
  });

  it('temperature: finite, and positive and finite as float32', () => {
    expect(checkTemperature(undefined)).toBe(1);
    expect(checkTemperature(0.5)).toBe(0.5);
    expect(thrown(() => checkTemperature(NaN))).toBe("non-finite: 'temperature' must be finite; found NaN");
    expect(thrown(() => checkTemperature(0))).toMatch(/^invalid-argument: 'temperature' must be > 0/);
    expect(thrown(() => checkTemperature(1e39))).toMatch(/^invalid-argument: 'temperature' must be > 0 and at most 3.4e38/);
  });

  it('options: undefined or an object', () => {
    expect(checkOptionsObject(undefined)).toEqual({});
    expect(thrown(() => checkOptionsObject(null as never))).toBe("invalid-argument: 'options' must be an object; found null");
    expect(thrown(() => checkOptionsObject(3 as never))).toBe("invalid-argument: 'options' must be an object; found 3");
  });
});

describe('latent helpers refuse what they cannot build', () => {
  const a = new Float32Array(20);
  it('limit their results to 2^28 floats and check their vectors', () => {
    expect(thrown(() => lerp(a, a, 1e9))).toMatch(/^invalid-argument: 'steps' must be an integer in \[1, 13421772\]/);
    expect(thrown(() => slerp(a, a, 0))).toMatch(/^invalid-argument: 'steps'/);
    expect(thrown(() => cornerGrid([a, a, a, a], 10_000, 10_000))).toMatch(/^invalid-argument: 'rows × cols' must be at most 13421772 .*; found 10000 × 10000 = 100000000/);
    expect(thrown(() => cornerGrid([a, a, a] as never, 2, 2))).toMatch(/^invalid-argument: 'corners' must be 4 latent vectors; found 3/);
    expect(thrown(() => cornerGrid([a, a, new Float32Array(3), a], 2, 2))).toMatch(/^shape-mismatch: 'corners\[0\]' and 'corners\[2\]' must be latent vectors of one size/);
    expect(thrown(() => traverseLatent(a, 0, [0, NaN]))).toBe("non-finite: 'values' must be finite; found NaN at index 1");
    expect(thrown(() => lerp(Float32Array.of(Infinity), Float32Array.of(0), 2))).toBe("non-finite: 'a' must be finite; found Infinity at index 0");
    expect(lerp(Float32Array.of(0), Float32Array.of(1), 3)).toEqual(Float32Array.of(0, 0.5, 1));
  });
});
