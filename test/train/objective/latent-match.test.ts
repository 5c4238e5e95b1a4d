import { describe, expect, it } from 'vitest';
import { fillStandardNormal } from '../../../src/sampler/index.js';
import { latentMatch, mmdImq, MMD_SAMPLES } from '../../../src/train/objective/latent-match.js';

const J = 8;
const draws = (n: number, stream: number, shift = 0, scale = 1) =>
  fillStandardNormal(new Float32Array(n * J), { seed: 3, stream, offset: 0 }).map((v) => v * scale + shift);

describe('latentMatch', () => {
  it('finds prior draws matched: MMD² ≈ 0, means ≈ 0, stds ≈ 1', () => {
    const match = latentMatch(draws(1500, 11), 1500, J, { seed: 3, stream: 12 });
    expect(Math.abs(match.mmd)).toBeLessThan(2e-3);
    for (const m of match.mean) expect(Math.abs(m)).toBeLessThan(0.1);
    for (const s of match.std) expect(Math.abs(s - 1)).toBeLessThan(0.1);
    expect(match.mmdSamples).toBe(1500);
  });

  it('finds shifted or squeezed latents unmatched, the larger the mismatch the larger the MMD²', () => {
    const shifted = latentMatch(draws(1500, 11, 0.5), 1500, J, { seed: 3, stream: 12 });
    const far = latentMatch(draws(1500, 11, 1.5), 1500, J, { seed: 3, stream: 12 });
    const squeezed = latentMatch(draws(1500, 11, 0, 0.3), 1500, J, { seed: 3, stream: 12 });
    expect(shifted.mmd).toBeGreaterThan(0.02);
    expect(far.mmd).toBeGreaterThan(shifted.mmd);
    expect(squeezed.mmd).toBeGreaterThan(0.02);
    for (const m of shifted.mean) expect(m).toBeCloseTo(0.5, 0);
    for (const s of squeezed.std) expect(s).toBeCloseTo(0.3, 1);
  });

  it('uses at most MMD_SAMPLES latents for the MMD but every latent for means and stds', () => {
    const n = MMD_SAMPLES + 500;
    const z = draws(n, 11);
    z.fill(5, MMD_SAMPLES * J); // only the tail is off: the MMD does not see it, the means do
    const match = latentMatch(z, n, J, { seed: 3, stream: 12 });
    expect(match.mmdSamples).toBe(MMD_SAMPLES);
    expect(Math.abs(match.mmd)).toBeLessThan(2e-3);
    expect(match.mean[0]).toBeGreaterThan(0.8);
  });

  it('computes the unbiased estimator exactly on a hand-checked case', () => {
    // m = 2, J = 1, C = 2: a = {0, 1}, b = {0, 2}.
    const k = (d2: number) => 2 / (2 + d2);
    const expected = k(1) + k(4) - (2 * (k(0) + k(4) + k(1) + k(1))) / 4;
    expect(mmdImq(new Float32Array([0, 1]), new Float32Array([0, 2]), 2, 1)).toBeCloseTo(expected, 12);
  });

  it('refuses latents whose size is not n·J, naming what it expected', () => {
    expect(() => latentMatch(new Float32Array(10), 3, 4, { seed: 1, stream: 7 })).toThrow(/'z' must hold n·J = 12 values; found 10/);
  });
});
