import { describe, expect, it } from 'vitest';
import { exp } from '../../src/sampler/math.js';
import { fillStandardNormal } from '../../src/sampler/normal.js';
import { reparameterize, samplePrior } from '../../src/sampler/reparameterize.js';
import { ulpDistance32 } from './ulp.js';

const f = Math.fround;
const draw = (n: number, seed: number, stream = 0, offset = 0): Float32Array =>
  fillStandardNormal(new Float32Array(n), { seed, stream, offset });

const n = 4096;
const mu = draw(n, 100, 1);
const logvar = Float32Array.from(draw(n, 101, 1), (v) => 3 * v); // σ from e^-6 to e^6
const eps = draw(n, 102, 1);

describe('reparameterize', () => {
  it('follows the documented float32 operation order bit for bit', () => {
    for (const temperature of [1, 0.5, 0.8, 1.7]) {
      const z = reparameterize(mu, logvar, eps, { temperature });
      const tau = f(temperature);
      for (let i = 0; i < n; i++) {
        const expected = f(mu[i]! + f(f(exp(f(0.5 * logvar[i]!))) * f(tau * eps[i]!)));
        if (!Object.is(z[i], expected)) throw new Error(`i=${i}: ${z[i]} ≠ ${expected}`);
      }
    }
  });

  it('is μ + exp(½·logvar)·τ·ε to float32 accuracy (checked with Math.exp in float64)', () => {
    const z = reparameterize(mu, logvar, eps, { temperature: 0.8 });
    let worstRelative = 0;
    for (let i = 0; i < n; i++) {
      const exact = mu[i]! + Math.exp(0.5 * logvar[i]!) * 0.8 * eps[i]!;
      const scale = Math.abs(mu[i]!) + Math.abs(Math.exp(0.5 * logvar[i]!) * 0.8 * eps[i]!);
      worstRelative = Math.max(worstRelative, Math.abs(z[i]! - exact) / scale);
    }
    expect(worstRelative).toBeLessThan(3 * 2 ** -24); // a few float32 roundings
  });

  it('uses temperature 1 by default and writes into `out`, which may alias an input', () => {
    const plain = reparameterize(mu, logvar, eps);
    expect(Array.from(plain)).toEqual(Array.from(reparameterize(mu, logvar, eps, { temperature: 1 })));
    const out = new Float32Array(n);
    expect(reparameterize(mu, logvar, eps, { out })).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(plain));
    const inPlace = mu.slice();
    reparameterize(inPlace, logvar, eps, { out: inPlace });
    expect(Array.from(inPlace)).toEqual(Array.from(plain));
  });

  it('returns μ exactly where σ·ε vanishes and propagates overflow instead of throwing', () => {
    const z = reparameterize(new Float32Array([1.5, -2]), new Float32Array([0, 400]), new Float32Array([0, 1]));
    expect(z[0]).toBe(1.5);
    expect(z[1]).toBe(Infinity);
  });
});

describe('samplePrior', () => {
  it('is reparameterize with μ = 0, logvar = 0, bit for bit, laid out [count, latentDim]', () => {
    const count = 33;
    const latentDim = 7;
    const offset = 5;
    for (const temperature of [undefined, 0.7, 1.3]) {
      const z = samplePrior(count, latentDim, { seed: 9, stream: 4, offset, temperature });
      expect(z.length).toBe(count * latentDim);
      const e = draw(count * latentDim, 9, 4, offset);
      const zeros = new Float32Array(count * latentDim);
      const viaReparameterize = reparameterize(zeros, zeros, e, { temperature });
      expect(Array.from(z)).toEqual(Array.from(viaReparameterize));
      // Row n, column j is normal offset + n·latentDim + j.
      expect(z[3 * latentDim + 2]).toBe(f(f(temperature ?? 1) * draw(1, 9, 4, offset + 3 * latentDim + 2)[0]!));
    }
  });

  it('equals the normal stream itself at temperature 1 and scales it otherwise', () => {
    expect(Array.from(samplePrior(10, 2, { seed: 3 }))).toEqual(Array.from(draw(20, 3)));
    const hot = samplePrior(10, 2, { seed: 3, temperature: 2 });
    expect(Array.from(hot)).toEqual(Array.from(draw(20, 3), (v) => 2 * v)); // ×2 is exact
    const cool = samplePrior(100, 2, { seed: 3, temperature: 0.3 });
    const base = draw(200, 3);
    expect(cool.every((v, i) => ulpDistance32(v, 0.3 * base[i]!) <= 1)).toBe(true);
    expect(samplePrior(0, 4, { seed: 1 }).length).toBe(0);
  });
});
