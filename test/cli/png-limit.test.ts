import { describe, expect, it } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { MAX_PNG_PIXELS, checkPngFits, largestFitting, pngFits } from '../../src/cli/png-limit.js';
import { imageGridSize } from '../../src/train/report/index.js';

const grid = (count: number) => imageGridSize({ count, height: 28, width: 28, channels: 1, columns: Math.ceil(Math.sqrt(count)) });

describe('PNG size limit of the CLI', () => {
  it('finds the largest sample count whose grid fits in one PNG', () => {
    const largest = largestFitting(1_000_000, (n) => pngFits(grid(n)));
    expect(pngFits(grid(largest))).toBe(true);
    expect(pngFits(grid(largest + 1))).toBe(false);
    expect(largest).toBe(39_800);
    expect(largestFitting(10, () => false)).toBe(0);
    expect(largestFitting(10, () => true)).toBe(10);
  });

  it('refuses a grid over 2^27 pixels, saying its size, the limit and the advice', () => {
    expect(() => checkPngFits('--n 64', grid(64), () => 'unused')).not.toThrow();
    const size = grid(1_000_000);
    expect(size).toEqual({ width: 58_002, height: 58_002 });
    let error: unknown;
    try {
      checkPngFits('--n 1000000', size, () => 'use less');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VaekitError);
    expect((error as VaekitError).message).toBe(`--n 1000000 makes a 58002 × 58002-pixel PNG (3364232004 pixels); one PNG holds at most ${MAX_PNG_PIXELS} pixels (2^27): use less`);
  });
});
