import { describe, expect, it } from 'vitest';
import { fillStandardNormal } from '../../src/sampler/normal.js';
import { NormalSampler } from '../../src/sampler/normal-sampler.js';
import { philox4x32 } from '../../src/sampler/philox.js';
import { fillUniform } from '../../src/sampler/uniform.js';
import { ulpDistance32 } from './ulp.js';

const normals = (n: number, seed: number, stream = 0, offset = 0): Float32Array =>
  fillStandardNormal(new Float32Array(n), { seed, stream, offset });
const uniforms = (n: number, seed: number, stream = 0, offset = 0): Float64Array =>
  fillUniform(new Float64Array(n), { seed, stream, offset });

/** Box–Muller with the engine's Math.log/cos/sin on the stream's uniforms: an independent check. */
function mathNormal(seed: number, stream: number, index: number): number {
  const pairStart = index - (index % 2);
  const [u1, u2] = uniforms(2, seed, stream, pairStart) as unknown as [number, number];
  const r = Math.sqrt(-2 * Math.log(u1));
  return index % 2 === 0 ? r * Math.cos(2 * Math.PI * u2) : r * Math.sin(2 * Math.PI * u2);
}

describe('stream layout', () => {
  it('maps uniform i to Philox block ⌊i/2⌋ with key = seed and counter = [block, stream, 0]', () => {
    const cases = [
      { seed: 0, stream: 0, block: 0 },
      { seed: 2 ** 32 + 5, stream: 7, block: 2 ** 33 + 9 },
      { seed: Number.MAX_SAFE_INTEGER, stream: 0xffffffff, block: 2 ** 52 - 1 },
    ];
    for (const { seed, stream, block } of cases) {
      const key = [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
      const w = philox4x32([block % 2 ** 32, Math.floor(block / 2 ** 32), stream, 0], key, new Uint32Array(4));
      // 52 bits: all of the first word and the top 20 of the second; u = (2k + 1) / 2^53.
      const expected = [
        ((w[1]! >>> 12) * 2 ** 32 + w[0]!) * 2 ** -52 + 2 ** -53,
        ((w[3]! >>> 12) * 2 ** 32 + w[2]!) * 2 ** -52 + 2 ** -53,
      ];
      expect(Array.from(uniforms(2, seed, stream, 2 * block))).toEqual(expected);
    }
  });

  it('gives uniforms of the form (2k+1)/2^53: strictly inside (0, 1)', () => {
    const u = uniforms(100_000, 9, 3);
    let bad = 0;
    for (const v of u) if (!(v > 0 && v < 1 && (v * 2 ** 53) % 2 === 1)) bad++;
    expect(bad).toBe(0);
  });

  it('separates seeds and streams, including seeds that differ only above bit 32', () => {
    const first = (seed: number, stream: number): string => Array.from(normals(4, seed, stream)).join();
    const all = [first(5, 0), first(2 ** 32 + 5, 0), first(5, 1), first(6, 0), first(0, 0), first(0, 2 ** 31)];
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('fillStandardNormal', () => {
  it('returns float32 values, deterministically, in the array it was given', () => {
    const out = new Float32Array(1001);
    expect(fillStandardNormal(out, { seed: 1 })).toBe(out);
    expect(out.every((v) => Number.isFinite(v) && v !== 0 && Math.abs(v) < 8.6)).toBe(true);
    expect(Array.from(normals(1001, 1))).toEqual(Array.from(out));
  });

  it('draws a range at once exactly as in pieces, for odd and even cuts', () => {
    const whole = normals(1000, 42, 7);
    const cuts = [0, 1, 2, 3, 10, 11, 100, 333, 334, 999, 1000];
    for (let c = 0; c + 1 < cuts.length; c++) {
      const piece = normals(cuts[c + 1]! - cuts[c]!, 42, 7, cuts[c]!);
      expect(Array.from(piece)).toEqual(Array.from(whole.subarray(cuts[c]!, cuts[c + 1]!)));
    }
  });

  it('skips ahead directly: far offsets and the 2^32-block carry agree with pieces', () => {
    for (const start of [2 ** 40, 2 ** 33 - 3, 2 ** 53 - 8]) {
      const whole = normals(8, 1, 1, start);
      for (let k = 0; k < 8; k++) expect(normals(1, 1, 1, start + k)[0]).toBe(whole[k]);
    }
  });

  it('agrees within 2 float32 ulp with Box–Muller computed by Math.log/Math.cos/Math.sin', () => {
    let worst = 0;
    for (const [seed, stream] of [[0, 0], [1, 1], [42, 7], [2 ** 32 + 5, 0], [Number.MAX_SAFE_INTEGER, 1]] as const) {
      const n = 4000;
      const z = normals(n, seed, stream);
      const u = uniforms(n, seed, stream);
      for (let i = 0; i < n; i += 2) {
        const r = Math.sqrt(-2 * Math.log(u[i]!));
        worst = Math.max(worst, ulpDistance32(z[i]!, r * Math.cos(2 * Math.PI * u[i + 1]!)));
        worst = Math.max(worst, ulpDistance32(z[i + 1]!, r * Math.sin(2 * Math.PI * u[i + 1]!)));
      }
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(ulpDistance32(normals(1, 3, 2, 2 ** 40 + 1)[0]!, mathNormal(3, 2, 2 ** 40 + 1))).toBeLessThanOrEqual(2);
  });
});

describe('NormalSampler', () => {
  it('draws consecutive values, reports its position, and seeks anywhere', () => {
    const reference = normals(300, 11, 4);
    const sampler = new NormalSampler({ seed: 11, stream: 4 });
    expect(sampler.position).toBe(0);
    const a = sampler.next(101);
    const b = sampler.fill(new Float32Array(99));
    const c = sampler.next(100);
    expect(sampler.position).toBe(300);
    expect([...a, ...b, ...c]).toEqual(Array.from(reference));
    expect(Array.from(sampler.seek(57).next(5))).toEqual(Array.from(reference.subarray(57, 62)));
    expect(sampler.position).toBe(62);
    expect(sampler.next(0).length).toBe(0);
  });

  it('resumes from a checkpointed position exactly (the trainer’s save/restore)', () => {
    const uninterrupted = new NormalSampler({ seed: 5, stream: 0 });
    const first = uninterrupted.next(2560);
    const saved = uninterrupted.position;
    const resumed = new NormalSampler({ seed: 5, stream: 0 }).seek(saved);
    expect(Array.from(resumed.next(2560))).toEqual(Array.from(uninterrupted.next(2560)));
    expect(Array.from(new NormalSampler({ seed: 5, offset: 0 }).next(2560))).toEqual(Array.from(first));
    expect(new NormalSampler({ seed: 5, stream: 0, offset: 7 }).position).toBe(7);
  });

  it('stops at the end of the stream (2^53 values)', () => {
    const sampler = new NormalSampler({ seed: 1, offset: 2 ** 53 - 2 });
    expect(sampler.next(2).length).toBe(2);
    expect(sampler.position).toBe(2 ** 53);
    expect(() => sampler.next(1)).toThrow(/'position'/);
  });
});
