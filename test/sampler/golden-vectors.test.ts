import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkGoldenVectors,
  fillUniform,
  float32ToHex,
  float64ToHex,
  hexToFloat32,
  hexToFloat64,
  type GoldenVectors,
} from '../../src/sampler/index.js';
import { OFFSETS, SEEDS, STREAMS, buildGoldenVectors } from './build-golden-vectors.js';
import { ulpDistance32 } from './ulp.js';

const doc = JSON.parse(readFileSync(new URL('./golden-vectors.json', import.meta.url), 'utf8')) as GoldenVectors;

/** Box–Muller with the engine's Math.log/Math.cos/Math.sin: close to, not bit-equal with, ours. */
function mathBoxMuller(u1: number, u2: number): [number, number] {
  const r = Math.sqrt(-2 * Math.log(u1));
  return [r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2)];
}

describe('golden vectors (test/sampler/golden-vectors.json)', () => {
  it('are reproduced bit for bit by this runtime', () => {
    expect(checkGoldenVectors(doc)).toEqual([]);
  });

  it('are in sync with the builder and cover every required case', () => {
    expect(JSON.parse(JSON.stringify(buildGoldenVectors()))).toEqual(doc);
    for (const seed of SEEDS) {
      for (const stream of STREAMS) {
        for (const offset of OFFSETS) {
          const match = (c: { seed: number; stream: number; offset: number }): boolean =>
            c.seed === seed && c.stream === stream && c.offset === offset;
          expect(doc.normals.find(match)?.bits.length).toBe(8);
          expect(doc.uniforms.find(match)?.bits.length).toBe(4);
        }
      }
    }
    expect(doc.reparameterize.length).toBeGreaterThan(0);
    expect(doc.samplePrior.length).toBeGreaterThan(0);
  });

  it('spell the same numbers in hex and decimal', () => {
    for (const c of [...doc.normals, ...doc.samplePrior, ...doc.reparameterize]) {
      expect(c.bits.map(hexToFloat32)).toEqual(c.values);
      expect(c.values.map(float32ToHex)).toEqual(c.bits);
    }
    for (const c of doc.uniforms) expect(c.values.map(float64ToHex)).toEqual(c.bits);
  });

  it('agree within 2 float32 ulp with Box–Muller by Math.log/cos/sin (independent cross-check)', () => {
    let worst = 0;
    for (const c of doc.normals) {
      // Uniforms from the pair boundary at or before the offset, then the normals they make.
      const start = c.offset - (c.offset % 2);
      const u = fillUniform(new Float64Array(10), { seed: c.seed, stream: c.stream, offset: start });
      const reference: number[] = [];
      for (let i = 0; i < 10; i += 2) reference.push(...mathBoxMuller(u[i]!, u[i + 1]!));
      const aligned = reference.slice(c.offset - start, c.offset - start + 8);
      c.values.forEach((v, k) => (worst = Math.max(worst, ulpDistance32(v, aligned[k]!))));
    }
    // For even offsets the file alone suffices: its uniforms 0–3 make its normals 0–3.
    for (const c of doc.normals.filter((n) => n.offset % 2 === 0)) {
      const u = doc.uniforms.find((x) => x.seed === c.seed && x.stream === c.stream && x.offset === c.offset)!;
      const [u0, u1, u2, u3] = u.bits.map(hexToFloat64) as [number, number, number, number];
      const fromFile = [...mathBoxMuller(u0, u1), ...mathBoxMuller(u2, u3)];
      fromFile.forEach((v, k) => (worst = Math.max(worst, ulpDistance32(c.values[k]!, v))));
    }
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('report a mismatch when a value is altered', () => {
    const broken = JSON.parse(JSON.stringify(doc)) as GoldenVectors;
    broken.normals[3]!.bits[5] = '3f800000';
    expect(checkGoldenVectors(broken)).toEqual([`normals[3][5]: expected 3f800000, got ${doc.normals[3]!.bits[5]}`]);
  });
});
