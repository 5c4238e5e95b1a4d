import { describe, expect, it } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { NormalSampler, fillStandardNormal, fillUniform, reparameterize, samplePrior } from '../../src/sampler/index.js';

/** Runs fn and returns the VaekitError it throws (failing when it throws anything else). */
function caught(fn: () => unknown): VaekitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VaekitError);
    expect((e as VaekitError).code).toBe('invalid-argument');
    return e as VaekitError;
  }
  throw new Error('expected a VaekitError');
}
const normals = (options: unknown, n = 4): string =>
  caught(() => fillStandardNormal(new Float32Array(n), options as { seed: number })).message;

describe('argument validation', () => {
  it('names the seed, what it must be, and what it was', () => {
    expect(normals({ seed: -3 })).toBe("'seed' must be an integer in [0, 2^53-1]; found -3");
    expect(normals({ seed: 1.5 })).toBe("'seed' must be an integer in [0, 2^53-1]; found 1.5");
    expect(normals({ seed: 2 ** 53 })).toBe("'seed' must be an integer in [0, 2^53-1]; found 9007199254740992");
    expect(normals({ seed: NaN })).toBe("'seed' must be an integer in [0, 2^53-1]; found NaN");
    expect(normals({ seed: '1' })).toBe(`'seed' must be an integer in [0, 2^53-1]; found "1"`);
    expect(normals({})).toBe("'seed' must be an integer in [0, 2^53-1]; found undefined");
    expect(normals(undefined)).toBe("'options' must be an object with a seed; found undefined");
  });

  it('rejects streams that are not uint32 and offsets outside the stream', () => {
    expect(normals({ seed: 1, stream: -1 })).toBe("'stream' must be an integer in [0, 2^32-1]; found -1");
    expect(normals({ seed: 1, stream: 2 ** 32 })).toBe("'stream' must be an integer in [0, 2^32-1]; found 4294967296");
    expect(normals({ seed: 1, stream: 0.5 })).toBe("'stream' must be an integer in [0, 2^32-1]; found 0.5");
    expect(normals({ seed: 1, offset: -1 })).toBe("'offset' must be an integer in [0, 2^53-4] for 4 values; found -1");
    expect(normals({ seed: 1, offset: 2 ** 53 - 3 })).toBe(
      "'offset' must be an integer in [0, 2^53-4] for 4 values; found 9007199254740989",
    );
    expect(normals({ seed: 1, offset: 2.5 }, 0)).toBe("'offset' must be an integer in [0, 2^53]; found 2.5");
    const u = caught(() => fillUniform(new Float64Array(2), { seed: 1, offset: Infinity }));
    expect(u.message).toBe("'offset' must be an integer in [0, 2^53-2] for 2 values; found Infinity");
  });

  it('rejects output arrays of the wrong type', () => {
    const m = caught(() => fillStandardNormal(new Float64Array(2) as unknown as Float32Array, { seed: 1 }));
    expect(m.message).toBe("'out' must be a Float32Array; found Float64Array(2)");
    const u = caught(() => fillUniform([0, 0] as unknown as Float64Array, { seed: 1 }));
    expect(u.message).toBe("'out' must be a Float64Array; found array(2)");
  });

  it('checks NormalSampler construction, seek and counts', () => {
    expect(caught(() => new NormalSampler({ seed: -1 })).message).toMatch(/^'seed' must be/);
    const sampler = new NormalSampler({ seed: 1 });
    expect(caught(() => sampler.seek(-5)).message).toBe("'offset' must be an integer in [0, 2^53]; found -5");
    expect(caught(() => sampler.seek(2 ** 53 + 2)).message).toMatch(/^'offset' must be/);
    expect(caught(() => sampler.next(-1)).message).toBe("'count' must be a non-negative integer; found -1");
    expect(caught(() => sampler.next(1.5)).message).toBe("'count' must be a non-negative integer; found 1.5");
    expect(sampler.position).toBe(0); // failed calls do not move it
  });

  it('checks reparameterize lengths and the temperature', () => {
    const a = new Float32Array(3);
    const b = new Float32Array(2);
    expect(caught(() => reparameterize(a, b, a)).message).toBe(
      "'logvar' must be of length 3 (the length of 'mu'); found Float32Array(2)",
    );
    expect(caught(() => reparameterize(a, a, b)).message).toBe(
      "'eps' must be of length 3 (the length of 'mu'); found Float32Array(2)",
    );
    expect(caught(() => reparameterize(a, a, a, { out: b })).message).toBe(
      "'out' must be of length 3 (the length of 'mu'); found Float32Array(2)",
    );
    expect(caught(() => reparameterize([1, 2, 3] as unknown as Float32Array, a, a)).message).toBe(
      "'mu' must be a Float32Array; found array(3)",
    );
    for (const t of [0, -1, NaN, Infinity, 1e-50, 1e40]) {
      expect(caught(() => reparameterize(a, a, a, { temperature: t })).message).toBe(
        `'temperature' must be a finite number > 0 (as float32); found ${t}`,
      );
    }
  });

  it('checks samplePrior sizes and options', () => {
    expect(caught(() => samplePrior(-1, 2, { seed: 1 })).message).toBe("'count' must be a non-negative integer; found -1");
    expect(caught(() => samplePrior(2, 0, { seed: 1 })).message).toBe("'latentDim' must be an integer ≥ 1; found 0");
    expect(caught(() => samplePrior(2, 2, { seed: 1, temperature: 0 })).message).toMatch(/^'temperature' must be/);
    expect(caught(() => samplePrior(2, 2, { seed: 1, stream: -2 })).message).toMatch(/^'stream' must be/);
  });
});
